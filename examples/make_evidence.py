"""Regenerate the example evidence files for the guide's cases A-E.

Dev-only (needs ``pip install imageio-ffmpeg`` for the two videos); the
outputs are committed so nobody else needs it. Photos carry EXIF capture
time and device, and some carry GPS, so that evidence import and the
location-stripping export have something real to work on.

    python examples/make_evidence.py
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).parent / "cases"
SEOUL_GPS = {1: "N", 2: (37.0, 33.0, 58.0), 3: "E", 4: (126.0, 58.0, 40.0)}


def photo(path: Path, colour: tuple[int, int, int], label: str, taken: str, *, gps: bool) -> None:
    image = Image.new("RGB", (480, 360), colour)
    draw = ImageDraw.Draw(image)
    for i in range(0, 480, 40):
        draw.line([(i, 0), (480 - i, 360)], fill=(255, 255, 255), width=2)
    draw.rectangle([20, 20, 460, 70], fill=(0, 0, 0))
    draw.text((30, 35), label, fill=(255, 255, 255))
    exif = Image.Exif()
    exif[0x010F] = "Samsung"
    exif[0x0110] = "Galaxy S24"
    exif[0x0132] = taken
    exif.get_ifd(0x8769)[0x9003] = taken
    if gps:
        exif.get_ifd(0x8825).update(SEOUL_GPS)
    image.save(path, "JPEG", quality=70, exif=exif.tobytes())


def screenshot(path: Path, title: str, lines: list[str]) -> None:
    image = Image.new("RGB", (420, 300), (250, 250, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 420, 40], fill=(230, 60, 30))
    draw.text((12, 14), title, fill=(255, 255, 255))
    for n, line in enumerate(lines):
        draw.text((12, 60 + n * 22), line, fill=(20, 20, 20))
    image.save(path, "PNG", optimize=True)


def video(path: Path, label: str) -> None:
    import imageio_ffmpeg

    frames = []
    for i in range(12):
        image = Image.new("RGB", (160, 120), (30 + i * 15, 30, 60))
        ImageDraw.Draw(image).text((8, 50), f"{label} {i}", fill=(255, 255, 255))
        frames.append(image.tobytes())
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
        "-s", "160x120", "-r", "4", "-i", "-", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart",
        "-metadata", "creation_time=2026-03-16T11:05:00Z", str(path),
    ]
    subprocess.run(command, input=b"".join(frames), check=True)


def main() -> None:
    a, b, c, d, e = (HERE / f"seed-{x}" / "evidence" for x in "abcde")
    for folder in (a, b, c, d, e):
        folder.mkdir(parents=True, exist_ok=True)
    photo(a / "cracked-dripper.jpg", (120, 90, 60), "dripper: crack 1 and crack 2", "2026:03:16 20:02:11", gps=True)
    photo(a / "broken-cup.jpg", (110, 100, 90), "cup 3 of 4: broken", "2026:03:16 20:03:40", gps=True)
    photo(a / "crushed-box.jpg", (150, 120, 80), "outer box: corner crushed", "2026:03:16 19:58:02", gps=False)
    video(a / "unboxing.mp4", "unboxing")
    screenshot(a / "order-page.png", "AliExpress - Order details", [
        "Order 8190012345678901", "Ceramic pour-over coffee set", "Option: White, 4 cups", "Total: KRW 38,500"])
    photo(b / "shirt.jpg", (200, 190, 160), "shirt (blurry)", "2026:05:24 21:10:00", gps=False)
    screenshot(c / "tracking.png", "Tracking RR304182752CN", [
        "2026-06-09 Arrived at destination (Incheon)", "2026-06-06 Departed from origin", "2026-06-04 Accepted by carrier"])
    screenshot(c / "order-promise.png", "AliExpress - Order details", [
        "Order 8190034567890123", "Delivery guarantee: by 2026-06-18", "Total: USD 19.80"])
    screenshot(c / "seller-chat.png", "Chat with GadgetHub Store", [
        "Me: promised by 06-18, no update since 06-09", "Seller: parcel delayed; apply for a refund"])
    photo(d / "shoes.jpg", (230, 230, 230), "shoes", "2026:07:18 21:55:00", gps=True)
    video(e / "left-earbud-test.mp4", "left earbud: no LED")
    photo(e / "earbuds.jpg", (20, 20, 20), "after 3 h charging: left LED off", "2026:08:17 18:40:00", gps=False)
    screenshot(e / "order-page.png", "AliExpress - Order details", [
        "Order 8190056789012345", "Bluetooth wireless earbuds, Black", "Total: KRW 45,900"])
    screenshot(e / "seller-chat.png", "Chat with SoundWave Audio Store", [
        "Seller: reset by holding both buttons 10 s", "Me: tried the reset, left earbud still dead"])


if __name__ == "__main__":
    main()
