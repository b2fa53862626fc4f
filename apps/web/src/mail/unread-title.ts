import { useEffect } from "react";

/** The tab title with the inbox's unread count in front, as mail clients do: "(3) Overview · Tidings". */
export function useUnreadTitle(page: string, unread: number | undefined): void {
  useEffect(() => {
    document.title = unread ? `(${unread}) ${page} · Tidings` : `${page} · Tidings`;
    return () => {
      document.title = "Tidings";
    };
  }, [page, unread]);
}
