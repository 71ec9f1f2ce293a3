/**
 * `memo` for Preact without `preact/compat` (whose option hooks would change Preact's behaviour
 * for the whole app): a wrapper that skips re-rendering while its props are shallowly equal.
 * The message list uses it so that appending or finishing one message leaves the others alone.
 *
 * @module
 */
import { type Component, type FunctionComponent, h } from "preact";

/** Props equal key by key with `Object.is`. */
export function shallowEqual(a: object, b: object): boolean {
  const ka = Object.keys(a) as (keyof typeof a)[];
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.is(a[k], b[k]));
}

/**
 * Wraps `component` so that it re-renders only when a prop changes (signals it reads still
 * update it directly).
 *
 * @param component the function component to wrap
 * @returns a component with the same props
 */
export function memo<P extends object>(component: FunctionComponent<P>): FunctionComponent<P> {
  function Memo(this: Component<P>, props: P) {
    // Preact calls function components with the component instance as `this`; setting
    // shouldComponentUpdate there is how preact/compat's memo works too.
    this.shouldComponentUpdate = (next: Readonly<P>) => !shallowEqual(this.props, next);
    return h(component as FunctionComponent<object>, props);
  }
  Memo.displayName = `Memo(${component.displayName ?? component.name})`;
  return Memo as FunctionComponent<P>;
}
