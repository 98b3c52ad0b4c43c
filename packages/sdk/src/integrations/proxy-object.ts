/** Builds the replacement for one property, once, from the real value. */
export type Override<T> = (target: T) => unknown

/**
 * A Proxy over `target` where the listed properties are replaced by observed versions (built on first access, then
 * reused so each call pays no construction cost). Other properties read through unchanged. With `bindMethods`, other
 * methods are bound to the real object, because SDK clients keep `#private` fields that a Proxy receiver cannot reach.
 */
export function proxyObject<T extends object>(
  target: T,
  overrides: Partial<Record<string, Override<T>>>,
  bindMethods = false,
): T {
  const built = new Map<PropertyKey, unknown>()
  const bound = bindMethods ? new WeakMap<object, unknown>() : undefined
  return new Proxy(target, {
    get(t, prop, receiver) {
      const make = typeof prop === 'string' ? overrides[prop] : undefined
      if (make) {
        if (!built.has(prop)) built.set(prop, make(t))
        return built.get(prop)
      }
      if (!bound) return Reflect.get(t, prop, receiver)
      const value = Reflect.get(t, prop, t)
      if (typeof value !== 'function') return value
      let fn = bound.get(value)
      if (!fn) {
        fn = value.bind(t)
        bound.set(value, fn)
      }
      return fn
    },
  })
}
