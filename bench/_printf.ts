/**
 * C `printf`/`iostream` number and string formatting, so bench output is byte-for-byte
 * what llama-bench (glibc) prints. Internal to `bench_report.ts`.
 *
 * @internal
 * @module
 */

const encoder = new TextEncoder();

/** Sign prefix C prints: `-0.0` keeps its minus sign in `printf`, unlike `toFixed`. */
function _sign(x: number): string {
  return x < 0 || Object.is(x, -0) ? "-" : "";
}

/** `inf`/`nan` as glibc spells them; `undefined` for finite numbers. */
function _nonFinite(x: number): string | undefined {
  // glibc prints "-nan" for a NaN with the sign bit set; JS cannot see NaN's sign.
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  return undefined;
}

/**
 * `printf("%.<digits>f", x)`.
 *
 * `toFixed` rounds an exact binary tie (1.125 to 2 digits) away from zero, glibc rounds
 * it to even ("1.12"); such ties are real for sizes like 1.125 MiB, so they are fixed up.
 */
export function _cFixed(x: number, digits: number): string {
  const special = _nonFinite(x);
  if (special !== undefined) return special;
  const ax = Math.abs(x);
  // toFixed switches to exponent form at 1e21; doubles that large are integers.
  if (ax >= 1e21) {
    return _sign(x) + BigInt(ax).toString() + (digits > 0 ? "." : "") + "0".repeat(digits);
  }
  let s = ax.toFixed(digits);
  // An exact tie at `digits` decimals means ax * 2^(digits+1) is an odd integer.
  const scaled = ax * 2 ** (digits + 1);
  if (Number.isInteger(scaled) && scaled % 2 === 1) {
    const last = s.charCodeAt(s.length - 1) - 48;
    // toFixed rounded up; an odd last digit means even is one below (no borrow needed).
    if (last % 2 === 1) s = s.slice(0, -1) + String(last - 1);
  }
  return _sign(x) + s;
}

/** Drops trailing zeros after a decimal point, and the point itself, as `%g` does. */
function _trimZeros(s: string): string {
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

/**
 * `std::ostream << double` with default flags: `%g` at 6 significant digits
 * ("1234.57", "1.5e+06", "0.0001"). llama-bench prints `samples_ts` this way.
 */
export function _cG(x: number): string {
  const special = _nonFinite(x);
  if (special !== undefined) return special;
  if (x === 0) return _sign(x) + "0";
  const [mantissa, expText] = x.toExponential(5).split("e");
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const e = String(Math.abs(exp)).padStart(2, "0");
    return `${_trimZeros(mantissa)}e${exp < 0 ? "-" : "+"}${e}`;
  }
  return _trimZeros(_cFixed(x, 5 - exp));
}

/**
 * `printf("%*s", width, s)`: a negative width left-justifies. Like C, the width counts
 * UTF-8 bytes, which is why llama-bench widens its "±" column by one.
 */
export function _pad(s: string, width: number): string {
  const fill = " ".repeat(Math.max(0, Math.abs(width) - encoder.encode(s).length));
  return width < 0 ? s + fill : fill + s;
}

/**
 * llama-bench's `escape_json`: `"` and `\` escaped, control characters as `\u00xx`.
 * llama-bench also mangles bytes >= 0x80 (signed `char`); we keep them as UTF-8 text.
 */
export function _escapeJson(s: string): string {
  let out = "";
  for (const ch of s) {
    const code = ch.charCodeAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (code <= 0x1f) out += "\\u" + code.toString(16).padStart(4, "0");
    else out += ch;
  }
  return out;
}

/** llama-bench's `escape_csv`: every field quoted, quotes doubled. */
export function _escapeCsv(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}
