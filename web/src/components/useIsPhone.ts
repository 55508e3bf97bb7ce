import { useSyncExternalStore } from "react";

// antd's `md` breakpoint is 768 px: below it every list is cards and every control is sized for a thumb.
// matchMedia answers on the first render (Grid.useBreakpoint answers after an effect, which would draw a
// table first on a phone).
const PHONE = "(max-width: 767.98px)";

function subscribe(fn: () => void) {
  const mq = matchMedia(PHONE);
  // addListener: older WebViews (WeChat's X5) lack addEventListener on MediaQueryList.
  if (mq.addEventListener) mq.addEventListener("change", fn);
  else mq.addListener(fn);
  return () => (mq.removeEventListener ? mq.removeEventListener("change", fn) : mq.removeListener(fn));
}

export function useIsPhone(): boolean {
  return useSyncExternalStore(subscribe, () => matchMedia(PHONE).matches);
}
