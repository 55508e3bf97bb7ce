import { useSyncExternalStore } from "react";

/** `navigator.onLine`, kept current by the browser's online/offline events (WeChat's browsers fire them too). */
function subscribe(fn: () => void) {
  window.addEventListener("online", fn);
  window.addEventListener("offline", fn);
  return () => {
    window.removeEventListener("online", fn);
    window.removeEventListener("offline", fn);
  };
}

export function useOnline(): boolean {
  return useSyncExternalStore(subscribe, () => navigator.onLine);
}
