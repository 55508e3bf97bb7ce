/**
 * Dashboard paths the worker names (error bodies' `link`, notification links). Constants only: the
 * dashboard imports this file too.
 */

/** Where a QR-bound Chaoxing account is scanned again (the settings page opens its QR binding). */
export const QR_PAGE = "/settings?bind=qr";
