"""The APDU flow against the emulated My Number card: every status word, both paths."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from madoguchi.counter.card import apdu, emulated, pcsc, reader, records
from madoguchi.counter.card.messages import MESSAGES, CardError, language, text

ISSUER = emulated.test_issuer_key()
SELECT_MY_NUMBER = apdu.select_ef(apdu.EF_MY_NUMBER).to_list()


def card_data(**changes) -> emulated.CardData:
    base = emulated.CardData(
        name="山田　太郎",
        address="東京都千代田区霞が関１丁目２番３号",
        birth_date="19800401",
        sex="1",
        pin="1234",
        pin_tries=3,
        collation_b="55040120301234",
        collation_b_tries=10,
        my_number="123456789018",
    )
    return dataclasses.replace(base, **changes)


def raw(card: emulated.EmulatedCard, hexstring: str) -> str:
    data, sw1, sw2 = card.transmit(list(bytes.fromhex(hexstring)))
    return f"{bytes(data).hex().upper()}{sw1:02X}{sw2:02X}"


def read(card: emulated.EmulatedCard, **kwargs) -> tuple[reader.Reading, list[reader.Notice]]:
    notices: list[reader.Notice] = []
    kwargs.setdefault("issuer_key", ISSUER.public_key())
    return reader.read_card(card, report=notices.append, **kwargs), notices


def test_pin_path_sends_the_documented_apdus_and_returns_the_attributes():
    card = emulated.EmulatedCard(card_data())
    result, notices = read(card, pin="1234")
    assert result.attributes == records.CardAttributes(
        "山田　太郎", "東京都千代田区霞が関１丁目２番３号", date(1980, 4, 1), "1"
    )
    assert result.authenticity == "verified" and result.my_number is None
    sent = [" ".join(f"{b:02X}" for b in c) for c in card.log]
    assert sent[:7] == [
        "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08",
        "00 A4 02 0C 02 00 11",
        "00 20 00 80",  # tries first, nothing spent
        "00 20 00 80 04 31 32 33 34",
        "00 A4 02 0C 02 00 02",
        "00 B0 00 00 08",  # the header: tag and length
        sent[6],
    ]
    assert sent[6].startswith("00 B0 00 08 ")  # then the rest from where the header ended
    assert "00 A4 02 0C 02 00 03" in sent  # the signature record
    assert SELECT_MY_NUMBER not in card.log
    assert [n.code for n in notices] == ["tries_pin", "authenticity_verified"]
    assert notices[0].params == {"tries": 3}


def test_verify_without_data_reports_tries_and_spends_none():
    card = emulated.EmulatedCard(card_data(pin_tries=2))
    assert raw(card, "00A4040C0AD3921000310001010408") == "9000"
    assert raw(card, "00A4020C020011") == "9000"
    assert raw(card, "00200080") == "63C2"
    assert raw(card, "00200080") == "63C2"
    assert card.data.pin_tries == 2


def test_wrong_pin_spends_a_try_and_says_how_many_are_left():
    card = emulated.EmulatedCard(card_data())
    with pytest.raises(CardError) as caught:
        read(card, pin="9999")
    assert caught.value.code == "wrong_pin" and caught.value.params == {"tries": 2}
    assert card.data.pin_tries == 2
    assert "残り2回" in caught.value.message("ja")
    assert "2 tries left" in caught.value.message("en")


def test_right_pin_resets_the_counter_as_a_real_card_does():
    card = emulated.EmulatedCard(card_data(pin_tries=2))
    read(card, pin="1234")
    assert card.data.pin_tries == 3


def test_one_try_left_is_refused_without_sending_the_pin():
    card = emulated.EmulatedCard(card_data(pin_tries=1))
    with pytest.raises(CardError) as caught:
        read(card, pin="1234")
    assert caught.value.code == "last_try_pin"
    assert card.data.pin_tries == 1
    assert not any(c[:2] == [0x00, 0x20] and len(c) > 4 for c in card.log)


def test_blocked_pin_answers_6984_and_is_reported_blocked():
    card = emulated.EmulatedCard(card_data(pin_tries=0))
    assert raw(card, "00A4040C0AD3921000310001010408") == "9000"
    assert raw(card, "00A4020C020011") == "9000"
    assert raw(card, "00200080") == "6984"
    assert raw(card, "0020008004" + b"1234".hex()) == "6984"  # even the right PIN
    with pytest.raises(CardError) as caught:
        read(emulated.EmulatedCard(card_data(pin_tries=0)), pin="1234")
    assert caught.value.code == "blocked_pin"


def test_the_last_wrong_pin_blocks_the_card():
    card = emulated.EmulatedCard(card_data(pin_tries=2))
    raw(card, "00A4040C0AD3921000310001010408")
    raw(card, "00A4020C020011")
    assert raw(card, "0020008004" + b"0000".hex()) == "63C1"
    assert raw(card, "0020008004" + b"0000".hex()) == "63C0"
    assert raw(card, "00200080") == "6984"
    assert card.data.pin_tries == 0


def test_6a82_for_another_application_and_a_missing_file():
    card = emulated.EmulatedCard(card_data())
    assert raw(card, "00A4020C020002") == "6A82"  # no application selected yet
    assert raw(card, "00A4040C0AD392F000260101000001") == "6A82"  # a different AP
    assert raw(card, "00A4040C0AD3921000310001010408") == "9000"
    assert raw(card, "00A4020C020099") == "6A82"
    without_number = emulated.EmulatedCard(card_data(my_number=None))
    raw(without_number, "00A4040C0AD3921000310001010408")
    assert raw(without_number, "00A4020C020001") == "6A82"


def test_a_card_without_the_application_is_named_as_such():
    class OtherCard:
        def transmit(self, command):
            return [], 0x6A, 0x82

    with pytest.raises(CardError) as caught:
        reader.read_card(OtherCard(), pin="1234")
    assert caught.value.code == "not_my_number_card"


def test_6986_without_a_current_ef():
    card = emulated.EmulatedCard(card_data())
    raw(card, "00A4040C0AD3921000310001010408")
    assert raw(card, "00B0000008") == "6986"  # READ BINARY before any EF
    assert raw(card, "00200080") == "6986"  # VERIFY before any key EF
    raw(card, "00A4020C020002")
    assert raw(card, "00200080") == "6986"  # VERIFY on a data EF


def test_6982_reading_before_verification():
    card = emulated.EmulatedCard(card_data())
    raw(card, "00A4040C0AD3921000310001010408")
    raw(card, "00A4020C020002")
    assert raw(card, "00B0000008") == "6982"


def test_6700_wrong_length_spends_no_try():
    card = emulated.EmulatedCard(card_data())
    raw(card, "00A4040C0AD3921000310001010408")
    raw(card, "00A4020C020011")
    assert raw(card, "0020008003313233") == "6700"  # three digits
    assert raw(card, "0020008005313233") == "6700"  # Lc larger than the data
    assert raw(card, "00A4020C03001100") == "6700"  # a file id of three bytes
    assert card.data.pin_tries == 3


def test_6a86_wrong_parameters():
    card = emulated.EmulatedCard(card_data())
    raw(card, "00A4040C0AD3921000310001010408")
    raw(card, "00A4020C020011")
    assert raw(card, "0020008104" + b"1234".hex()) == "6A86"  # P2 81
    assert raw(card, "00A4080C020011") == "6A86"  # select by path: not offered
    raw(card, "00A4020C020002")
    assert raw(card, "00B0820008") == "6A86"  # a short EF identifier
    assert card.data.pin_tries == 3


def test_unexpected_status_words_become_a_clear_error():
    class Confused:
        def __init__(self):
            self.card = emulated.EmulatedCard(card_data())

        def transmit(self, command):
            if command[:2] == [0x00, 0xB0]:
                return [], 0x6F, 0x00
            return self.card.transmit(command)

    with pytest.raises(CardError) as caught:
        reader.read_card(Confused(), pin="1234")
    assert caught.value.code == "card_status"
    assert "6F 00" in caught.value.message()


def test_garbage_in_the_record_is_refused():
    card = emulated.EmulatedCard(card_data())
    card.files[apdu.EF_ATTRIBUTES] = bytes.fromhex("FF2080") + b"\xff" * 20
    with pytest.raises(CardError) as caught:
        read(card, pin="1234")
    assert caught.value.code == "malformed"


def test_collation_b_path_opens_the_attributes_only():
    card = emulated.EmulatedCard(card_data())
    result, notices = read(card, collation_b="55040120301234")
    assert result.attributes.name == "山田　太郎"
    assert result.authenticity == "unavailable"  # EF 00 03 answers 69 82 without the PIN
    assert [n.code for n in notices] == ["tries_collation_b", "authenticity_unavailable"]
    assert notices[0].params == {"tries": 10}
    assert apdu.select_ef(apdu.EF_COLLATION_B).to_list() in card.log
    assert apdu.select_ef(apdu.EF_PIN).to_list() not in card.log
    assert SELECT_MY_NUMBER not in card.log
    # and the security state it gives opens nothing but EF 00 02
    assert raw(card, "00A4020C020001") == "9000"
    assert raw(card, "00B0000008") == "6982"


def test_collation_b_wrong_last_try_and_blocked():
    card = emulated.EmulatedCard(card_data(collation_b_tries=3))
    with pytest.raises(CardError) as caught:
        read(card, collation_b="55040120309999")
    assert caught.value.code == "wrong_collation_b" and card.data.collation_b_tries == 2
    with pytest.raises(CardError) as caught:
        read(card, collation_b="55040120309999")
    assert card.data.collation_b_tries == 1
    with pytest.raises(CardError) as caught:
        read(card, collation_b="55040120301234")
    assert caught.value.code == "last_try_collation_b" and card.data.collation_b_tries == 1
    with pytest.raises(CardError) as caught:
        read(emulated.EmulatedCard(card_data(collation_b_tries=0)), collation_b="55040120301234")
    assert caught.value.code == "blocked_collation_b"
    # the right number resets the counter to ten
    fresh = emulated.EmulatedCard(card_data(collation_b_tries=4))
    read(fresh, collation_b="55040120301234")
    assert fresh.data.collation_b_tries == 10


def test_a_card_without_collation_b_says_so():
    with pytest.raises(CardError) as caught:
        read(emulated.EmulatedCard(card_data(collation_b=None)), collation_b="55040120301234")
    assert caught.value.code == "collation_b_unsupported"


def test_secrets_are_checked_before_the_card_sees_them():
    card = emulated.EmulatedCard(card_data())
    for kwargs, code in [
        ({"pin": "123"}, "pin_format"),
        ({"pin": "１２３４"}, "pin_format"),
        ({"collation_b": "5504012030123"}, "collation_b_format"),
        ({}, "secret_missing"),
        ({"pin": "1234", "collation_b": "55040120301234"}, "secret_missing"),
    ]:
        with pytest.raises(CardError) as caught:
            read(card, **kwargs)
        assert caught.value.code == code and caught.value.exit_code == 2
    assert card.log == []
    assert (
        reader.collation_b_from_parts(
            birth_wareki_yymmdd="550401", expiry_year="2030", security_code="1234"
        )
        == "55040120301234"
    )


def test_my_number_is_read_only_with_a_legal_basis_and_the_pin():
    card = emulated.EmulatedCard(card_data())
    result, _ = read(card, pin="1234", legal_basis="   ")
    assert result.my_number is None and SELECT_MY_NUMBER not in card.log
    card = emulated.EmulatedCard(card_data())
    result, _ = read(card, pin="1234", legal_basis="番号法第9条第1項 別表 児童手当法による児童手当")
    assert result.my_number == "123456789018" and SELECT_MY_NUMBER in card.log
    with pytest.raises(CardError) as caught:
        read(emulated.EmulatedCard(card_data()), collation_b="55040120301234", legal_basis="x")
    assert caught.value.code == "legal_basis_needs_pin"


def test_authenticity_fails_for_altered_data_or_another_issuer():
    altered = emulated.EmulatedCard(card_data())
    forged = records.encode_attributes(
        dataclasses.replace(altered.data.attributes, address="大阪府大阪市北区１丁目")
    )
    altered.files[apdu.EF_ATTRIBUTES] = forged
    with pytest.raises(CardError) as caught:
        read(altered, pin="1234")
    assert caught.value.code == "authenticity_failed"

    other_issuer = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    foreign = emulated.EmulatedCard(card_data(), issuer=other_issuer)
    with pytest.raises(CardError) as caught:
        read(foreign, pin="1234")
    assert caught.value.code == "authenticity_failed"
    result, notices = read(emulated.EmulatedCard(card_data()), pin="1234", issuer_key=None)
    assert result.authenticity == "unchecked"
    assert notices[-1].code == "authenticity_unchecked"


def test_a_long_address_uses_the_82_length_form_and_several_reads():
    address = "北海道" + "１丁目２番３号" * 40  # > 255 bytes of UTF-8
    card = emulated.EmulatedCard(card_data(address=address))
    assert card.files[apdu.EF_ATTRIBUTES][2] == 0x82
    result, _ = read(card, pin="1234")
    assert result.attributes.address == address
    start = card.log.index(apdu.select_ef(apdu.EF_ATTRIBUTES).to_list())
    end = card.log.index(apdu.select_ef(apdu.EF_SIGNATURE).to_list())
    reads = card.log[start + 1 : end]
    assert len(reads) >= 3 and all(c[:2] == [0x00, 0xB0] for c in reads)
    record_length = len(records.encode_attributes(card.data.attributes))
    assert record_length > 0x100 and len(card.files[apdu.EF_ATTRIBUTES]) > record_length
    position = 0
    for command in reads:  # contiguous reads from 0 that stop at the record's end, not the EF's
        assert (command[2] << 8) | command[3] == position
        position += command[4]
    assert position == record_length


names = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=120)


@settings(max_examples=60, deadline=None)
@given(
    name=names,
    address=st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=400),
    birth=st.dates(date(1900, 1, 1), date(2099, 12, 31)),
    sex=st.sampled_from(records.SEXES),
    by_pin=st.booleans(),
)
def test_any_attributes_written_to_a_card_come_back_identical(name, address, birth, sex, by_pin):
    data = card_data(name=name, address=address, birth_date=birth.strftime("%Y%m%d"), sex=sex)
    secret = {"pin": "1234"} if by_pin else {"collation_b": "55040120301234"}
    result, _ = read(emulated.EmulatedCard(data), **secret)
    assert result.attributes == records.CardAttributes(name, address, birth, sex)


def test_card_file_validation():
    good = dataclasses.asdict(card_data())
    assert emulated.CardData.from_json(good) == card_data()
    for change, problem in [
        ({"pin": "12a4"}, "pin"),
        ({"pin_tries": 4}, "pin_tries"),
        ({"pin_tries": True}, "pin_tries"),
        ({"collation_b_tries": 11}, "collation_b_tries"),
        ({"collation_b": "123"}, "collation_b"),
        ({"sex": "3"}, "sex"),
        ({"birth_date": "19800231"}, "birth_date"),
        ({"name": ""}, "name"),
    ]:
        with pytest.raises(emulated.CardFileError, match=problem):
            emulated.CardData.from_json({**good, **change})


def test_without_pyscard_the_reader_says_how_to_install_it(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "smartcard", None)
    monkeypatch.setitem(sys.modules, "smartcard.System", None)
    monkeypatch.setitem(sys.modules, "smartcard.Exceptions", None)
    assert not pcsc.pyscard_available()
    with pytest.raises(CardError) as caught:
        pcsc.connect()
    assert caught.value.code == "no_pyscard" and caught.value.exit_code == 3
    assert "madoguchi[card]" in caught.value.message("en")


def test_the_reader_runs_through_pyscards_own_card_connection():
    """The emulated card behind a real pyscard CardConnection: pyscard's transmit (its argument
    checks, observers and protocol handling) carries every APDU, as with a reader on a counter PC."""
    card_connection = pytest.importorskip("smartcard.CardConnection")

    class EmulatedReaderConnection(card_connection.CardConnection):  # type: ignore[name-defined]
        def __init__(self, card: emulated.EmulatedCard) -> None:
            super().__init__(reader="Emulated reader 0")
            self.card = card
            self.sent: list[list[int]] = []

        def connect(self, protocol=None, mode=None, disposition=None):
            self.setProtocol(protocol or card_connection.CardConnection.T1_protocol)

        def getProtocol(self):
            return card_connection.CardConnection.T1_protocol

        def doTransmit(self, command, protocol=None):
            self.sent.append(list(command))
            return self.card.transmit(list(command))

    card = emulated.EmulatedCard(card_data())
    connection = EmulatedReaderConnection(card)
    connection.connect()
    result, _ = read(connection, pin="1234")
    assert result.attributes.name == "山田　太郎" and result.authenticity == "verified"
    assert connection.sent == card.log  # every APDU went through pyscard's transmit


def test_every_message_has_both_languages_and_the_locale_decides():
    for code, (ja, en) in MESSAGES.items():
        assert ja and en and ja != en, code
    assert language(None, {"LANG": "en_US.UTF-8"}) == "en"
    assert language(None, {"LANG": "ja_JP.UTF-8"}) == "ja"
    assert language(None, {}) == "ja"
    assert language("en", {"LANG": "ja_JP.UTF-8"}) == "en"
    assert text("tries_pin", "en", tries=3) == "Card-face PIN: 3 tries left"


KNOWN_STATUS = {
    apdu.SW_OK,
    apdu.SW_WRONG_LENGTH,
    apdu.SW_SECURITY_NOT_SATISFIED,
    apdu.SW_BLOCKED,
    apdu.SW_NO_CURRENT_EF,
    apdu.SW_NOT_FOUND,
    apdu.SW_WRONG_P1P2,
    apdu.SW_OFFSET_OUT_OF_RANGE,
    apdu.SW_INS_NOT_SUPPORTED,
    apdu.SW_CLA_NOT_SUPPORTED,
}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=24), max_size=8))
def test_the_emulated_card_answers_any_command_with_a_status_word(commands):
    card = emulated.EmulatedCard(card_data())
    card.transmit(list(bytes.fromhex("00A4040C0AD3921000310001010408")))
    for command in commands:
        data, sw1, sw2 = card.transmit(list(command))
        sw = (sw1 << 8) | sw2
        assert sw in KNOWN_STATUS or (sw1 == 0x63 and sw2 & 0xF0 == 0xC0)
        assert data == [] or sw == apdu.SW_OK
    assert 0 <= card.data.pin_tries <= 3 and 0 <= card.data.collation_b_tries <= 10


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=64))
def test_any_bytes_in_the_attributes_ef_give_a_reading_or_a_card_error(content):
    card = emulated.EmulatedCard(card_data())
    card.files[apdu.EF_ATTRIBUTES] = content or b"\xff"
    try:
        reader.read_card(card, pin="1234", issuer_key=ISSUER.public_key())
    except CardError as exc:
        assert exc.code in {"malformed", "authenticity_failed", "card_status"}
