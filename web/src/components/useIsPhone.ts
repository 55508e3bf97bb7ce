import { useSyncExternalStore } from "react";

// antd's `md` breakpoint is 768 px: below it every list is cards and every control is sized for a thumb.
// matchMedia answers on the first render (Grid.useBreakpoint answers after an effect, which would draw a
// table, or the desktop's sider and its menu, first on a phone).
const PHONE = "(max-width: 767.98px)";

/** Whether `query` matches now, kept current. */
export function useMedia(query: string): boolean {
  return useSyncExternalStore(
    (fn) => {
      const mq = matchMedia(query);
      // addListener: older WebViews (WeChat's X5) lack addEventListener on MediaQueryList.
      if (mq.addEventListener) mq.addEventListener("change", fn);
      else mq.addListener(fn);
      return () => (mq.removeEventListener ? mq.removeEventListener("change", fn) : mq.removeListener(fn));
    },
    () => matchMedia(query).matches,
  );
}

export function useIsPhone(): boolean {
  return useMedia(PHONE);
}
