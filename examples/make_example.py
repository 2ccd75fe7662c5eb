"""Make the bundled example event: five photos of a ward's study session, drawn by code.

The event is the one in the ward's news post (study of Directive 05-CT/TW,
22/12/2017, Ward 6). The photos carry the EXIF a phone of that time writes:
date and time with the UTC offset, camera, exposure, GPS, and one taken with
the phone held upright (orientation 6), so the example exercises what real
folders bring. Run it to remake the JPEGs: ``python examples/make_example.py``.
"""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from PIL.ExifTags import GPS, IFD, Base

EVENT_DIR = Path(__file__).resolve().parent / "hoc-tap-chi-thi-05-ct-tw-nam-2018"
SIZE = (1600, 1200)
WARD_GPS = (10.781210, 106.686450, 9.0)  # the ward's office, as a phone reports it

# file name, time, what the picture shows, orientation
PHOTOS = [
    ("IMG_20171222_075812.jpg", "07:58:12", "office", 1),
    ("IMG_20171222_080347.jpg", "08:03:47", "police", 1),
    ("IMG_20171222_081530.jpg", "08:15:30", "teachers", 1),
    ("IMG_20171222_082204.jpg", "08:22:04", "desk", 6),
    ("IMG_20171222_083951.jpg", "08:39:51", "students", 1),
]


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _room(draw: ImageDraw.ImageDraw, wall: tuple[int, int, int]) -> None:
    width, height = SIZE
    draw.rectangle((0, 0, width, height * 0.62), fill=wall)
    draw.rectangle((0, height * 0.62, width, height), fill=(150, 110, 80))
    # The red banner every Vietnamese meeting hall has, and the screen showing HTV9.
    draw.rectangle((120, 60, width - 120, 170), fill=(200, 20, 30))
    draw.text(
        (width / 2, 115),
        "HOC TAP CHI THI 05-CT/TW NAM 2018",
        anchor="mm",
        font=_font(52),
        fill=(255, 230, 0),
    )
    draw.rectangle((560, 220, 1040, 500), fill=(20, 20, 30), outline=(60, 60, 60), width=12)
    draw.rectangle((590, 250, 1010, 470), fill=(40, 90, 160))
    draw.text((800, 360), "HTV9  TRUC TIEP", anchor="mm", font=_font(40), fill="white")


def _people(draw: ImageDraw.ImageDraw, rng: random.Random, rows: int, shirt: tuple) -> None:
    width, height = SIZE
    for row in range(rows):
        y = height * 0.68 + row * 120
        for x in range(80 + (row % 2) * 60, width - 60, 150):
            skin = (230 - rng.randint(0, 40), 190 - rng.randint(0, 40), 150 - rng.randint(0, 30))
            draw.ellipse((x, y, x + 70, y + 80), fill=(25, 20, 20))
            draw.ellipse((x + 8, y + 18, x + 62, y + 84), fill=skin)
            draw.rounded_rectangle((x - 20, y + 80, x + 90, y + 200), 30, fill=shirt)


def _office(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    width, height = SIZE
    for y in range(height):
        blue = int(235 - 90 * y / height)
        draw.line((0, y, width, y), fill=(120, 170, blue))
    draw.rectangle((200, 330, 1400, 1000), fill=(245, 225, 160))
    draw.polygon(((150, 330), (800, 150), (1450, 330)), fill=(190, 60, 50))
    draw.rectangle((380, 380, 1220, 470), fill=(200, 20, 30))
    draw.text(
        (800, 425), "UY BAN NHAN DAN PHUONG 6", anchor="mm", font=_font(54), fill=(255, 230, 0)
    )
    for x in range(260, 1360, 180):
        draw.rectangle((x, 540, x + 110, 700), fill=(90, 120, 150))
        draw.rectangle((x, 780, x + 110, 940), fill=(90, 120, 150))
    draw.rectangle((0, 1000, width, height), fill=(110, 110, 110))
    _flag(draw, 740, 40)


def _flag(draw: ImageDraw.ImageDraw, x: int, y: int) -> None:
    draw.rectangle((x + 56, y + 60, x + 64, y + 300), fill=(80, 80, 80))
    draw.rectangle((x + 64, y + 60, x + 244, y + 180), fill=(218, 37, 29))
    draw.regular_polygon((x + 154, y + 120, 40), 5, fill=(255, 255, 0))


def _desk(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    width, height = SIZE
    draw.rectangle((0, 0, width, height), fill=(225, 220, 205))
    draw.rectangle((0, 700, width, height), fill=(120, 80, 50))
    draw.rectangle((300, 250, 900, 640), fill=(30, 30, 35))
    draw.rectangle((330, 280, 870, 610), fill=(235, 240, 250))
    for line in range(8):
        draw.line(
            (370, 320 + line * 36, 820 - rng.randint(0, 200), 320 + line * 36),
            fill=(60, 60, 80),
            width=6,
        )
    draw.rectangle((1000, 760, 1450, 1080), fill=(250, 250, 245))
    draw.text((1225, 800), "CHU DE NAM 2018", anchor="mm", font=_font(34), fill=(180, 20, 20))
    _people(draw, rng, 1, (250, 250, 250))


SCENES = {
    "office": lambda d, r: _office(d, r),
    "police": lambda d, r: (_room(d, (235, 225, 190)), _people(d, r, 3, (60, 90, 50))),
    "teachers": lambda d, r: (_room(d, (210, 225, 235)), _people(d, r, 3, (250, 250, 250))),
    "desk": lambda d, r: _desk(d, r),
    "students": lambda d, r: (_room(d, (240, 235, 215)), _people(d, r, 4, (245, 245, 255))),
}


def _exif(time: str, orientation: int, index: int) -> Image.Exif:
    exif = Image.Exif()
    exif[Base.Make] = "samsung"
    exif[Base.Model] = "SM-J710F"
    exif[Base.Software] = "J710FXXU4BQK1"
    exif[Base.DateTime] = f"2017:12:22 {time}"
    exif[Base.Orientation] = orientation
    sub = exif.get_ifd(IFD.Exif)
    sub[Base.DateTimeOriginal] = f"2017:12:22 {time}"
    sub[Base.DateTimeDigitized] = f"2017:12:22 {time}"
    sub[Base.OffsetTimeOriginal] = "+07:00"
    sub[Base.ExposureTime] = (1, 30 + 10 * index)
    sub[Base.FNumber] = (19, 10)
    sub[Base.ISOSpeedRatings] = 200 + 50 * index
    sub[Base.FocalLength] = (37, 10)
    gps = exif.get_ifd(IFD.GPSInfo)
    lat, lon, alt = WARD_GPS
    gps[GPS.GPSLatitudeRef], gps[GPS.GPSLatitude] = "N", _dms(lat + index * 0.0004)
    gps[GPS.GPSLongitudeRef], gps[GPS.GPSLongitude] = "E", _dms(lon + index * 0.0003)
    gps[GPS.GPSAltitudeRef], gps[GPS.GPSAltitude] = 0, alt
    return exif


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600, 4)
    return (degrees, minutes, seconds)


def make_photo(scene: str, orientation: int, seed: int) -> Image.Image:
    image = Image.new("RGB", SIZE)
    SCENES[scene](ImageDraw.Draw(image), random.Random(seed))
    # A phone held upright stores the pixels sideways and says so in the EXIF.
    return image.rotate(90, expand=True) if orientation == 6 else image


def main() -> None:
    for index, (name, time, scene, orientation) in enumerate(PHOTOS):
        image = make_photo(scene, orientation, seed=index)
        image.save(EVENT_DIR / name, quality=82, exif=_exif(time, orientation, index))
        print(f"wrote {name}")


if __name__ == "__main__":
    main()
