/** Shown in the dashboard's relay list and sent at pairing and on every connection. */
export const RELAY_VERSION = "1.0.0";
