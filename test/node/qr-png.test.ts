import { describe, expect, it } from "vitest";
import { qrPng } from "../../src/simulator/qr-image";
import { decodeQrPng } from "../helpers/qr-decode";

describe("the simulator's QR PNG", () => {
  it("is a PNG an independent decoder reads back to the text it was made from", async () => {
    const text = "https://passport2.chaoxing.com/toauthlogin?uuid=0f2c9d6e8a4b4c1e9f0a7b3c5d2e1f4a&enc=8a1b2c3d4e5f60718293a4b5c6d7e8f9&xxtrefer=&clientid=&type=0&mobiletip=";
    const png = await qrPng(text);
    expect(png.length).toBeGreaterThan(100);
    expect(await decodeQrPng(png)).toBe(text);
  });

  it("carries Chinese text as UTF-8", async () => {
    expect(await decodeQrPng(await qrPng("扫码登录 chaoxing"))).toBe("扫码登录 chaoxing");
  });
});
