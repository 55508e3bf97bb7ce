import { useEffect, useRef } from "react";

let seq = 0;

/**
 * Android's back button (and WeChat's) closes an open dialog or drawer first, as a phone's own apps do,
 * instead of leaving the page (and with it, say, the courses just picked): while `open`, one history
 * entry of the same address stands for the overlay; back pops it and `close` runs. Closed any other way,
 * the entry is taken back, unless a navigation from inside the overlay already replaced it.
 */
export function useBackCloses(open: boolean, close: () => void): void {
  const closeRef = useRef(close);
  closeRef.current = close;
  useEffect(() => {
    if (!open) return;
    const id = ++seq;
    history.pushState({ ...(history.state as object | null), overlay: id }, "");
    let popped = false;
    const onPop = () => {
      if ((history.state as { overlay?: number } | null)?.overlay === id) return;
      popped = true;
      closeRef.current();
    };
    window.addEventListener("popstate", onPop);
    return () => {
      window.removeEventListener("popstate", onPop);
      if (!popped && (history.state as { overlay?: number } | null)?.overlay === id) history.back();
    };
  }, [open]);
}

/** Whether the current history entry is an open overlay's: a navigation from inside it replaces that entry. */
export const inOverlay = (): boolean => (history.state as { overlay?: number } | null)?.overlay !== undefined;
