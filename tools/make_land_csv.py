"""Write model/iron_river/world/data/land.csv: country outlines for the maps.

Source: Natural Earth 1:110m admin-0 countries (public domain), as shipped in the
``naturalearth_lowres`` dataset of geopandas 0.14 (``pip download geopandas==0.14.4 --no-deps``,
then unzip ``geopandas/datasets/naturalearth_lowres/*``). Only the rings that touch the map's
extent are kept, and points closer than ``--tolerance`` degrees to the previous kept point are
dropped. Run once; the CSV is committed.

Usage: python tools/make_land_csv.py PATH/naturalearth_lowres.shp model/iron_river/world/data/land.csv
"""

from __future__ import annotations

import argparse
import csv
import struct
from pathlib import Path

EXTENT = (-125.0, -80.0, 8.0, 42.0)  # a margin around the maps' extent
KEEP = {"USA": "US", "MEX": "MX", "GTM": "GT", "BLZ": "BZ", "HND": "HN", "SLV": "SV",
        "NIC": "NI", "CRI": "CR", "CUB": "CU"}
SOURCE = "Natural Earth 1:110m admin-0 countries, public domain"


def read_dbf(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    n, header_len, rec_len = struct.unpack("<xxxxIHH", data[:12])
    fields, pos = [], 32
    while data[pos] != 0x0D:
        name = data[pos : pos + 11].split(b"\0")[0].decode()
        fields.append((name, data[pos + 16]))
        pos += 32
    out = []
    for i in range(n):
        rec = data[header_len + i * rec_len + 1 : header_len + (i + 1) * rec_len]
        row, off = {}, 0
        for name, size in fields:
            row[name] = rec[off : off + size].decode("utf-8", "replace").strip()
            off += size
        out.append(row)
    return out


def read_shp(path: Path) -> list[list[list[tuple[float, float]]]]:
    data = path.read_bytes()
    pos, shapes = 100, []
    while pos < len(data):
        _, length = struct.unpack(">ii", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + 2 * length]
        pos += 8 + 2 * length
        kind = struct.unpack("<i", body[:4])[0]
        if kind != 5:
            shapes.append([])
            continue
        n_parts, n_points = struct.unpack("<ii", body[36:44])
        parts = list(struct.unpack(f"<{n_parts}i", body[44 : 44 + 4 * n_parts])) + [n_points]
        pts = struct.unpack(f"<{2 * n_points}d", body[44 + 4 * n_parts : 44 + 4 * n_parts + 16 * n_points])
        xy = list(zip(pts[0::2], pts[1::2], strict=True))
        shapes.append([xy[parts[k] : parts[k + 1]] for k in range(n_parts)])
    return shapes


def touches(ring: list[tuple[float, float]]) -> bool:
    return any(EXTENT[0] <= x <= EXTENT[1] and EXTENT[2] <= y <= EXTENT[3] for x, y in ring)


def thin(ring: list[tuple[float, float]], tol: float) -> list[tuple[float, float]]:
    out = [ring[0]]
    for p in ring[1:-1]:
        if abs(p[0] - out[-1][0]) + abs(p[1] - out[-1][1]) >= tol:
            out.append(p)
    out.append(ring[-1])
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("shp", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--tolerance", type=float, default=0.0)
    a = ap.parse_args()
    records = read_dbf(a.shp.with_suffix(".dbf"))
    shapes = read_shp(a.shp)
    with a.out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["country", "name", "ring", "lon", "lat", "source"])
        for rec, rings in zip(records, shapes, strict=True):
            code = KEEP.get(rec["iso_a3"])
            if code is None:
                continue
            k = 0
            for ring in rings:
                if not touches(ring):
                    continue
                for j, (x, y) in enumerate(thin(ring, a.tolerance)):
                    w.writerow([code, rec["name"], k, f"{x:.3f}", f"{y:.3f}", SOURCE])
                k += 1


if __name__ == "__main__":
    main()
