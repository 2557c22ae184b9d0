"""Photos for the tests, made with Pillow: a phone photo carries a GPS position in its EXIF."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from campaign.lib.uploads import CleanImage, clean_image

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 400
SVG_WITH_SCRIPT = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'


def jpeg_with_gps(size=(640, 480), colour=(200, 30, 30)) -> bytes:
    image = Image.new("RGB", size, colour)
    exif = image.getexif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (30.0, 16.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (120.0, 10.0, 5.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def upload(name="IMG_0001.JPG", data=None, content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_with_gps() if data is None else data, content_type=content_type)


def photo(colour=(200, 30, 30)) -> CleanImage:
    return clean_image(upload(data=jpeg_with_gps(colour=colour)))
