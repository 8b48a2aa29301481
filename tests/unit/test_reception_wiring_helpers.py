"""Pure helpers added for the wiring: where a sign-in lands (ATT-06/REC-01) and the masked
phone (CLI-14)."""
from datetime import datetime, timedelta, timezone

from services.reception.rules import mask_phone, sign_in_slot

T0 = datetime(2026, 3, 2, 0, 30, tzinfo=timezone.utc)


def t(minutes):
    return T0 + timedelta(minutes=minutes)


def test_rec01_correct_sign_in_goes_behind_correct_ones_and_ahead_of_placed_last():
    sheet = [(t(0), False), (t(1), False), (t(2), True)]
    assert sign_in_slot(sheet, t(5), placed_last=False) == 2
    assert sign_in_slot(sheet, t(5), placed_last=True) == 3


def test_rec01_out_of_order_delivery_lands_by_sign_in_time():
    sheet = [(t(0), False), (t(3), False)]
    assert sign_in_slot(sheet, t(1), placed_last=False) == 1
    assert sign_in_slot([], t(1), placed_last=False) == 0


def test_rec01_rejoined_entries_without_a_time_are_not_overtaken():
    assert sign_in_slot([(None, False), (t(9), False)], t(5), placed_last=False) == 1


def test_cli14_mask_phone():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("+86 138-1234-1234") == "138****1234"
    assert mask_phone("1234567") == "123****"
    assert mask_phone("12345") == "***45"
    assert mask_phone(None) is None and mask_phone("") is None
