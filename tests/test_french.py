"""The one French formatting module: what every table, figure, file and slide prints."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from data_access import french

N = french.NNBSP
CASES = [
    (french.fr_number, (1529,), f"1{N}529"),
    (french.fr_number, (1529.0,), f"1{N}529"),
    (french.fr_number, (12.5, 1), "12,5"),
    (french.fr_number, (-0.04, 1), "0,0"),
    (french.fr_number, (None,), "–"),
    (french.fr_number, (float("nan"),), "–"),
    (french.fr_auto, (2110.0,), f"2{N}110"),
    (french.fr_auto, (6.54,), "6,5"),
    (french.fr_measure, (40.78,), "41"),
    (french.fr_measure, (6.5,), "6,5"),
    (french.fr_measure, (np.int64(1529),), f"1{N}529"),
    (french.fr_measure, ("abc",), "–"),
    (french.fr_percent, (12.5,), f"12,5{N}%"),
    (french.fr_signed_percent, (38.2,), f"+38{N}%"),
    (french.fr_signed_percent, (-12,), f"−12{N}%"),
    (french.fr_value, (1529.0, "€"), f"1{N}529{N}€"),
    (french.fr_year, (2021,), "2021"),
    (french.fr_year, (dt.date(2021, 3, 1),), "2021"),
    (french.fr_date, (dt.date(2026, 12, 1),), "01/12/2026"),
    (french.fr_month, (dt.date(2021, 3, 1),), "mars 2021"),
    (french.fr_long_date, (dt.date(2025, 12, 1),), "1er décembre 2025"),
    (french.fr_period, (dt.date(2021, 1, 1), "year"), "2021"),
    (french.fr_period, (dt.date(2021, 4, 1), "quarter"), "2021-T2"),
    (french.fr_period, (dt.date(2021, 3, 1), "month"), "mars 2021"),
    (french.fr_bool, (True,), "Oui"),
    (french.fr_bool, (np.False_,), "Non"),
    (french.fr_bool, (pd.NA,), "–"),
]


@pytest.mark.parametrize(("function", "args", "expected"), CASES)
def test_french_format(function, args, expected):
    assert function(*args) == expected
