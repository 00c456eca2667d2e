"""madoguchi bench counter — keystrokes and seconds at the counter, with pre-input and by hand.

A scripted browser journey (Playwright, Debian's chromium) against the production server on a
fresh database with the demo municipality, for the three procedures of one life event
(default 「妊娠・出産」: 妊娠届, 児童手当, 保育園の入園申込):

1. At home (not measured): the resident pre-fills the three procedures as one visit of the
   life event on a phone-sized page (the applicant and household entered once pre-fill the
   next forms) and gets one QR code (token mode); the bench reads it from the downloaded PNG
   (zxing-cpp).
2. With pre-input (measured): at the counter the QR scanner types the code into the scan
   field once (the scanner's keys are not the clerk's); the visit lists the three procedures,
   the clerk creates their forms with one click, then for each: opens it, ticks the identity
   document and what was checked against it, the resident confirms on the screen, the clerk
   prints the filled form (the PDF is fetched) and goes back to the visit.
3. By hand (measured): the clerk picks the procedure and types the same answers into the same
   form (the interview style, without the card or the postal look-up), then the same identity
   ticks, confirmation and print.

Each procedure is timed to its printed PDF received (with pre-input, the first from the one
scan; by hand, each from choosing the procedure).
The clerk's pace follows the keystroke-level model (Card, Moran & Newell): a keystroke 0.28 s
(an average skilled typist), pointing and clicking 1.2 s; the bench waits that long in the
browser for each key and click, so the seconds are wall time of the real pages plus that pace
(`--pace 0` measures the software alone). Typed characters are counted as one keystroke each,
which understates Japanese typing (romaji and kana-kanji conversion need more keys): by hand
is the conservative side. The resident's one click to confirm is counted in both.

Last line: keystroke_ratio=… time_ratio=… (pre-input / by hand; keystrokes = keys + clicks).
"""

# No `from __future__ import annotations`: `madoguchi bench` loads this file outside
# sys.modules, where dataclasses cannot resolve string annotations.
import argparse
import importlib.util
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

KEY_SECONDS = 0.28  # K, average skilled typist
CLICK_SECONDS = 1.2  # P (1.1 s) + B (0.1 s)
LIFE_EVENTS = {
    "birth": ["pregnancy-notification", "child-allowance", "nursery-admission"],
    "moving": ["moving-out", "child-allowance", "nursery-admission"],
}


def _blank_pdf() -> bytes:
    """A real one-page PDF (the resident's attachment at home; the counter takes none)."""
    import io

    import pypdfium2

    document = pypdfium2.PdfDocument.new()
    document.new_page(595, 842)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@dataclass
class Meter:
    """Counts the clerk's keys and clicks and waits the clerk's time for each."""

    pace: float
    keys: int = 0
    clicks: int = 0
    counting: bool = True

    def click(self, page: Any, target: Any) -> None:
        if self.counting:
            self.clicks += 1
            page.wait_for_timeout(CLICK_SECONDS * 1000 * self.pace)
        target.click()

    def type(self, page: Any, text: str) -> None:
        if self.counting:
            self.keys += len(text)
        page.keyboard.type(text, delay=KEY_SECONDS * 1000 * self.pace if self.counting else 0)


@dataclass
class Run:
    slug: str
    seconds: float
    keys: int
    clicks: int


@dataclass
class Totals:
    runs: list[Run] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return sum(r.seconds for r in self.runs)

    @property
    def keystrokes(self) -> int:
        return sum(r.keys + r.clicks for r in self.runs)


def _chromium() -> str:
    for path in (
        os.environ.get("CHROMIUM_PATH", ""),
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
    ):
        if path and os.access(path, os.X_OK):
            return path
    found = shutil.which("chromium")
    if not found:
        raise SystemExit("madoguchi bench counter: no chromium found (apt-get install chromium)")
    return found


def _answers_filler() -> Any:
    spec = importlib.util.spec_from_file_location("bench_preinput_answers", HERE / "preinput.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._raw


def _post_data(step: Any, raw: dict[str, Any]) -> dict[str, Any]:
    """The inputs a browser posts for these raw answers (by input name, files excluded)."""
    data: dict[str, Any] = {}

    def put(f: Any, name: str, value: Any) -> None:
        if f.type in ("name", "address"):
            for part, text in value.items():
                data[f"{name}__{part}"] = text
        elif f.type == "multi_choice":
            data[name] = list(value)
        elif f.type == "checkbox":
            data[name] = bool(value)
        elif f.type == "group":
            data[f"{name}__count"] = len(value)
            for i, item in enumerate(value):
                for sub in f.fields:
                    if sub.key in item and sub.type != "file":
                        put(sub, f"{name}__{i}__{sub.key}", item[sub.key])
        elif f.type != "file" and value is not None:
            data[name] = str(value)

    for f in step.fields:
        if f.key in raw:
            put(f, f.key, raw[f.key])
    return data


def _fill(page: Any, data: dict[str, Any], meter: Meter) -> None:
    """Bring the visible inputs to `data`, as a person would: click, then type or choose."""
    for _round in range(10):
        grown = False
        for name, value in data.items():
            if not name.endswith("__count"):
                continue
            count_input = page.locator(f"input[name='{name}']")
            if count_input.count() and int(count_input.input_value() or 0) < value:
                group = name.removesuffix("__count").replace("__", ".")
                meter.click(page, page.locator(f"button[name='_action'][value='add:{group}']"))
                page.wait_for_load_state()
                grown = True
                break
        if not grown:
            break
    for name, value in data.items():
        if name.endswith("__count"):
            continue
        if isinstance(value, (list, bool)):
            wanted = value if isinstance(value, list) else (["on"] if value else [])
            for v in wanted:
                box = page.locator(f"input[name='{name}'][value='{v}']")
                if box.count() and box.first.is_visible() and not box.first.is_checked():
                    meter.click(page, box.first)
            continue
        element = page.locator(f"[name='{name}']")
        if not element.count():
            continue
        kind = element.first.evaluate("e => e.tagName + ':' + (e.type || '')").lower()
        if kind.endswith(":radio"):
            radio = page.locator(f"input[name='{name}'][value='{value}']")
            if radio.count() and radio.first.is_visible() and not radio.first.is_checked():
                meter.click(page, radio.first)
            continue
        if kind.endswith(":hidden") or not element.first.is_visible():
            continue
        if kind.startswith("select"):
            if element.first.input_value() != value:
                meter.click(page, element.first)
                if meter.counting:
                    meter.clicks += 1
                element.first.select_option(value)
            continue
        if element.first.input_value() == value:
            continue
        meter.click(page, element.first)
        if element.first.input_value():
            element.first.fill("")
            meter.keys += 2 if meter.counting else 0  # select all, delete
        meter.type(page, value)


def _visit_preinput(
    page: Any, base: str, code: str, event: str, forms: dict[str, Any], pdf: Path
) -> str:
    """The resident's pre-input of the life event's procedures as one visit; its QR text."""
    from madoguchi.counter.preinput import qr

    page.goto(f"{base}/{code}/forms/visit/{event}/")
    for box in page.locator("input[name='procedure']").all():
        if box.get_attribute("value") not in forms:
            box.uncheck()
    page.click("button:has-text('入力を始める')")
    for slug, (definition, raw) in forms.items():
        page.wait_for_url(f"**/{slug}/**")
        _preinput_steps(page, slug, definition, raw, pdf)
        page.click("button:has-text('窓口用のQRコードを作る')")
    page.wait_for_url(f"**/forms/visit/{event}/qr/")
    page.locator("svg.qr").first.wait_for()
    href = page.locator("a[download]").first.get_attribute("href")
    png = page.request.get(f"{base}{href}").body()
    return qr.decode_image(png)[0]


def _preinput_steps(page: Any, slug: str, definition: Any, raw: dict, pdf: Path) -> None:
    """The steps of one procedure's form on the phone, up to its check page."""
    silent = Meter(pace=0, counting=False)
    for _step in range(20):
        page.wait_for_load_state()
        if page.url.rstrip("/").endswith("/check"):
            break
        step_key = page.url.rstrip("/").rsplit("/", 1)[-1]
        step = definition.step(step_key)
        _fill(page, _post_data(step, raw), silent)
        for f in step.fields:
            if f.type == "file" and page.locator(f"input[type=file][name='{f.key}']").count():
                page.set_input_files(f"input[type=file][name='{f.key}']", str(pdf))
        before = page.url
        page.click("button[name='_action'][value='next']")
        page.wait_for_load_state()
        if page.url == before:
            errors = (
                page.locator(".mg-error-summary").inner_text()
                if page.locator(".mg-error-summary").count()
                else ""
            )
            raise SystemExit(f"pre-input of {slug} stopped at {step_key}: {errors}")


def _finish(page: Any, base: str, meter: Meter, definition: Any, raw: dict) -> None:
    """Identity ticks, complete (filling what is still missing), confirmation, print."""
    for _attempt in range(3):
        meter.click(page, page.locator("#id_document_my_number_card"))
        for part in ("name", "address", "birth_date"):
            box = page.locator(f"#id_verified_{part}")
            if not box.is_checked():
                meter.click(page, box)
        meter.click(page, page.locator("button[name='_action'][value='complete']"))
        page.wait_for_load_state()
        if "/confirm/" in page.url:
            break
        # Fields the answers made appear: the clerk fills them in too.
        for step in definition.steps:
            _fill(page, _post_data(step, raw), meter)
    else:
        errors = page.locator(".mg-error-summary").all_inner_texts()
        raise SystemExit(f"the counter form was not accepted: {errors}")
    meter.click(page, page.locator("button:has-text('この内容で申請する')"))  # the resident
    page.wait_for_url("**/done/")
    link = page.locator("#print-link")
    href = link.get_attribute("href")
    if meter.counting:
        meter.clicks += 1
        page.wait_for_timeout(CLICK_SECONDS * 1000 * meter.pace)
    response = page.request.get(f"{base}{href}")
    if response.status != 200 or not response.body().startswith(b"%PDF"):
        raise SystemExit(f"printing failed: HTTP {response.status}")


def _with_preinput(
    page: Any, base: str, text: str, forms: dict[str, Any], pace: float
) -> list[Run]:
    """One scan for the whole visit, one click to create its forms, then each form."""
    page.goto(f"{base}/staff/counter/")
    meter = Meter(pace=pace)
    started = time.perf_counter()
    page.fill("#id_code", text)  # the scanner types the code...
    page.press("#id_code", "Enter")  # ...and presses Enter: no key of the clerk's
    page.wait_for_url("**/visits/*/")
    visit_url = page.url
    # The pre-filled procedures are ticked: create their forms.
    meter.click(page, page.locator("button:has-text('選んだ手続の申請書を作る')"))
    page.locator("#visit-cases").wait_for()
    runs = []
    for slug, (definition, raw) in forms.items():
        link = page.locator(f"#visit-cases a[data-procedure='{slug}']")
        meter.click(page, link)
        page.wait_for_url("**/cases/*/")
        _finish(page, base, meter, definition, raw)
        runs.append(Run(slug, time.perf_counter() - started, meter.keys, meter.clicks))
        meter = Meter(pace=pace)
        started = time.perf_counter()
        meter.click(page, page.locator("#visit-link"))  # back to the visit's forms
        page.wait_for_url(visit_url)
    return runs


def _by_hand(page: Any, base: str, slug: str, definition: Any, raw: dict, pace: float) -> Run:
    page.goto(f"{base}/staff/counter/")
    meter = Meter(pace=pace)
    started = time.perf_counter()
    meter.click(page, page.locator("#id_procedure"))
    meter.clicks += 1
    page.select_option("#id_procedure", slug)
    meter.click(page, page.locator("button:has-text('入力を始める')"))
    page.wait_for_url("**/cases/*/")
    for step in definition.steps:
        _fill(page, _post_data(step, raw), meter)
    _finish(page, base, meter, definition, raw)
    return Run(slug, time.perf_counter() - started, meter.keys, meter.clicks)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="madoguchi bench counter")
    parser.add_argument("--life-event", choices=sorted(LIFE_EVENTS), default="birth")
    parser.add_argument(
        "--pace",
        type=float,
        default=1.0,
        help="scale of the clerk's keystroke-level pace (0: the software's time alone)",
    )
    args = parser.parse_args(argv)

    from _server import running_server, setup_django_for_client

    setup_django_for_client()
    from django.utils import timezone
    from playwright.sync_api import sync_playwright

    from madoguchi.demo import DEMO_CODE, DEMO_PASSWORD
    from madoguchi.procedures.formdef import parse_definition
    from madoguchi.procedures.library import load_library

    raw_for = _answers_filler()
    slugs = LIFE_EVENTS[args.life_event]
    library = {p["slug"]: p for p in load_library()}
    today: date = timezone.localdate()
    forms = {}
    for slug in slugs:
        definition = parse_definition(library[slug]["form"])
        raw = {
            f.key: raw_for(f, today)
            for f in definition.top_fields()
            if f.holds_value and f.type != "file"
        }
        forms[slug] = (definition, raw)

    pdf = Path(tempfile.mkdtemp(prefix="bench-counter-")) / "document.pdf"
    pdf.write_bytes(_blank_pdf())
    with (
        running_server(workers=2, setup=[["demo_load"]]) as server,
        sync_playwright() as playwright,
    ):
        base = server.base_url
        browser = playwright.chromium.launch(
            executable_path=_chromium(), args=["--no-sandbox", "--disable-gpu"]
        )
        phone = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844})
        resident = phone.new_page()
        resident.set_default_timeout(30_000)
        code = _visit_preinput(resident, base, DEMO_CODE, args.life_event, forms, pdf)
        phone.close()

        desk = browser.new_context(locale="ja-JP", viewport={"width": 1366, "height": 900})
        clerk = desk.new_page()
        clerk.set_default_timeout(30_000)
        clerk.goto(f"{base}/staff/login/")
        clerk.fill("#id_username", "demo-counter")
        clerk.fill("#id_password", DEMO_PASSWORD)
        clerk.click("button:has-text('ログイン')")
        clerk.wait_for_load_state()

        pre, hand = Totals(), Totals()
        pre.runs += _with_preinput(clerk, base, code, forms, args.pace)
        for slug in slugs:
            hand.runs.append(_by_hand(clerk, base, slug, *forms[slug], args.pace))
        browser.close()
    shutil.rmtree(pdf.parent, ignore_errors=True)

    print(
        f"life event: {args.life_event}; pace {args.pace} × (key {KEY_SECONDS} s, click {CLICK_SECONDS} s)"
    )
    print(f"{'procedure':28} {'mode':10} {'keys':>5} {'clicks':>6} {'seconds':>8}")
    for label, totals in (("pre-input", pre), ("by hand", hand)):
        for r in totals.runs:
            print(f"{r.slug:28} {label:10} {r.keys:5} {r.clicks:6} {r.seconds:8.1f}")
    print(
        f"{'total':28} {'pre-input':10} {sum(r.keys for r in pre.runs):5} "
        f"{sum(r.clicks for r in pre.runs):6} {pre.seconds:8.1f}"
    )
    print(
        f"{'total':28} {'by hand':10} {sum(r.keys for r in hand.runs):5} "
        f"{sum(r.clicks for r in hand.runs):6} {hand.seconds:8.1f}"
    )
    print(
        f"keystroke_ratio={pre.keystrokes / hand.keystrokes:.3f} "
        f"time_ratio={pre.seconds / hand.seconds:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
