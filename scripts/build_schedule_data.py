#!/usr/bin/env python3
"""Builds tariffsim's embedded US product data (data/us/hts.csv, data/us/lists.csv) from
the public files in a folder laid out like ../shared/data/us-tariff (USITC HTS 2025 basic
edition; product lists of The Budget Lab at Yale's tariff-rate-tracker, MIT licence).

    python3 scripts/build_schedule_data.py ../shared/data/us-tariff data/us

The dated calendar of measures (data/us/measures.csv) is written by hand from the
sources CALENDAR.md cites; this script only reformats product data, so a reviewer can
rebuild and diff it.
"""
import csv
import sys
from pathlib import Path

src, out = Path(sys.argv[1]), Path(sys.argv[2])


def digits(s):
    return "".join(c for c in s if c.isdigit())


# hts.csv: every numbered line of the HTS 2025 basic edition: code (digits), general,
# special, column 2 and a short description. Statistical lines inherit rates in code.
with open(src / "hts_2025_basic_edition.csv", encoding="utf-8-sig", newline="") as f, \
        open(out / "hts.csv", "w", newline="") as g:
    w = csv.writer(g, lineterminator="\n")
    w.writerow(["code", "general", "special", "column2", "description"])
    for row in csv.DictReader(f):
        code = digits(row["HTS Number"])
        if not code:
            continue
        desc = " ".join(row["Description"].split())
        if len(desc) > 90:
            desc = desc[:87].rstrip() + "..."
        w.writerow([code, row["General Rate of Duty"].strip(), row["Special Rate of Duty"].strip(),
                    row["Column 2 Rate of Duty"].strip(), desc])

# lists.csv: list name, HTS prefix (digits). One file for every product list a measure
# can name.
rows = []


def add(name, prefix):
    p = digits(prefix)
    if p:
        rows.append((name, p))


for r in csv.DictReader(open(src / "s301_product_lists.csv")):
    name = "s301_" + r["list"].lower()
    if r["list"] == "biden_jan26":  # three headings, three rates: one list each
        name += "_" + r["ch99_code"][-2:]
    add(name, r["hts8"])
for r in csv.DictReader(open(src / "ieepa_exempt_products.csv")):
    add("ieepa_annex_ii", r["hts10"])
for r in csv.DictReader(open(src / "s122_exempt_products.csv")):
    add("s122_exempt", r["hts8"])
for r in csv.DictReader(open(src / "s232_annex_products.csv")):
    add("s232_annex_" + r["annex"], r["hts_prefix"])
for r in csv.DictReader(open(src / "s232_derivative_products.csv")):
    dated = "_2025_08_18" if r["effective_date"] == "2025-08-18" else ""
    add("s232_derivative_" + r["derivative_type"] + dated, r["hts_prefix"])
for r in csv.DictReader(open(src / "s232_copper_products.csv")):
    add("s232_copper", r["hts10"])
for line in open(src / "s232_auto_parts.txt"):
    add("s232_auto_parts", line.strip())
for r in csv.DictReader(open(src / "s201_solar_products.csv")):
    add("s201_cells" if r["hts10"].startswith("854142") else "s201_modules", r["hts10"])
for r in csv.DictReader(open(src / "fentanyl_carveout_products.csv")):
    add("fentanyl_" + r["category"], r["hts8"])
rows = sorted(set(rows))
with open(out / "lists.csv", "w", newline="") as g:
    w = csv.writer(g, lineterminator="\n")
    w.writerow(["list", "hts_prefix"])
    w.writerows(rows)
print(f"hts.csv and lists.csv ({len(rows)} list entries) written to {out}")
