/**
 * Repository ids, file paths and hub URLs. Paths come from the hub's tree API and are
 * joined onto the cache directory, so anything that could escape it is refused here
 * (huggingface_hub#4540 fixed the same hole).
 *
 * @module
 */

/** `org/name`, or a bare legacy name such as `gpt2`: letters, digits, `-`, `_`, `.`. */
const REPO_ID_RE = /^(?:[A-Za-z0-9][\w.-]*\/)?[A-Za-z0-9][\w.-]*$/;
const COMMIT_RE = /^[0-9a-f]{40}$/;

/**
 * Checks a model repository id.
 *
 * @throws {TypeError} Not `org/name`, or contains `..` or `--` (reserved by the cache layout).
 */
export function checkRepoId(repo: string): void {
  if (!REPO_ID_RE.test(repo) || repo.includes("..") || repo.includes("--")) {
    throw new TypeError(`Cannot use repo id "${repo}": expected "org/name"`);
  }
}

/**
 * Checks a file path inside a repository.
 *
 * @throws {TypeError} Empty, absolute, with a backslash or an empty, `.` or `..` segment.
 */
export function checkRepoPath(path: string): void {
  const segments = path.split("/");
  const bad = path === "" || path.includes("\\") || path.includes("\0") ||
    segments.some((s) => s === "" || s === "." || s === "..");
  if (bad) throw new TypeError(`Cannot use file path "${path}": expected a relative path`);
}

/** True for a full 40-hex commit hash (a revision that never moves). */
export function isCommitHash(revision: string): boolean {
  return COMMIT_RE.test(revision);
}

/**
 * The repository's folder in the hub cache, `models--org--name`, as huggingface_hub and
 * huggingface.js name it.
 */
export function repoFolderName(repo: string): string {
  return ["models", ...repo.split("/")].join("--");
}

/** Encodes each segment of a repo file path for a URL, keeping the slashes. */
export function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

/** `{endpoint}/{repo}/resolve/{revision}/{file}`: the file's download URL. */
export function resolveUrl(endpoint: string, repo: string, revision: string, file: string): string {
  return `${trimSlash(endpoint)}/${repo}/resolve/${encodeURIComponent(revision)}/${
    encodePath(file)
  }`;
}

/** `{endpoint}/api/models/{repo}` plus `suffix`. */
export function apiModelUrl(endpoint: string, repo: string, suffix = ""): string {
  return `${trimSlash(endpoint)}/api/models/${repo}${suffix}`;
}

/** The model's page on the hub, for messages that send the user there. */
export function modelPageUrl(endpoint: string, repo: string): string {
  return `${trimSlash(endpoint)}/${repo}`;
}

/** The endpoint without trailing slashes. */
export function trimSlash(endpoint: string): string {
  return endpoint.replace(/\/+$/, "");
}
