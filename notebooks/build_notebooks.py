"""Write the guided notebooks (run after editing; commit the .ipynb files, which hold no outputs).

    python notebooks/build_notebooks.py

Every notebook: a bilingual title and "what you will do", one cell tagged
``parameters`` (papermill), then steps that call the package. With its key
parameter left ``None`` a notebook is interactive (widget panels); with values
it runs headless and writes a JSON result.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).parent
META = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}}


def notebook(title: str, intro: str, parameters: str, *steps: tuple[str, str]) -> nbformat.NotebookNode:
    nb = new_notebook(metadata=META)
    nb.cells = [new_markdown_cell(title), new_markdown_cell(intro),
                new_code_cell(parameters.strip(), metadata={"tags": ["parameters"]})]
    for kind, source in steps:
        nb.cells.append(new_markdown_cell(source.strip()) if kind == "md" else new_code_cell(source.strip()))
    for number, cell in enumerate(nb.cells):
        cell.id = f"cell-{number}"  # stable ids: regenerating gives identical files
    return nb


COMMON = '''
casebook_path = None   # casebook folder; None: $CASEBOOK_PATH or ~/casebook (created with the guide's examples)
lang = None            # "ko" or "en"; None: the casebook's language (casebook.toml), else Korean
timezone = None        # e.g. "Asia/Seoul"; None: the casebook's time zone (casebook.toml), else Asia/Seoul
today = None           # "YYYY-MM-DD" to judge deadlines as of a day (reproducible runs); None: now
result_file = None     # set it (papermill) to run headless: the step's JSON result is written here
'''

# one code cell per step: in a batch every cell is a round trip to the kernel
OPEN = "book = open_casebook(casebook_path, lang=lang, tz=timezone)\nheadless = result_file is not None"

NOTEBOOKS = {
    "00_overview": notebook(
        "# 전체 보기 · Overview of your casebook",
        "**무엇을 하나요?** 기록한 모든 주문 문제를 한눈에 봅니다: 단계, 다음 기한, 남은 날짜, 준비도. 사례를 골라 열 수 있습니다.\n\n"
        "**What you will do:** see every problem order at a glance (stage, next deadline, days left, readiness) and pick one to open.",
        COMMON + 'output_dir = None      # headless: where overview.csv is written (default: the casebook\'s exports/ folder)\n',
        ("code", "from casebook.steps import open_casebook, overview, write_result\n\n" + OPEN + "\nbook"),
        ("md", "## 사례 목록 · The cases\n\n빨간 숫자는 기한이 이틀 이내입니다. · Red numbers: two days or less left."),
        ("code", "if headless:\n    result = write_result(result_file, overview(book, output_dir or book.path / 'exports', today=today))\n"
                 "    display(result)\nelse:\n    from casebook.ui import OverviewPanel\n\n"
                 "    panel = OverviewPanel(book, today=today)\n    display(panel.widget)"),
    ),
    "01_log_order": notebook(
        "# 1단계: 주문과 문제 기록 · Step 1: log the order and the problem",
        "**무엇을 하나요?** 주문 정보(주문번호, 상품, 금액, 날짜)와 문제를 기록합니다. 운송장 번호는 입력하는 즉시 확인합니다 "
        "(택배사, 검증번호, 오타 제안).\n\n**What you will do:** record the order (number, item, amount, dates) and the problem. "
        "The tracking number is checked as you type (carrier, check digit, a suggestion for typos).\n\n"
        "> Papermill: pass order numbers as text (`-r order_id 0081234`), or leading zeros are lost.",
        COMMON + '''
case_id = None         # headless: reuse this case, or the id for a new one
order_file = None      # headless: a JSON/YAML file shaped like examples/order.yaml
order_id = None        # headless: ... or the order's fields
platform = "aliexpress"
item_title = None
option = None
price = None           # e.g. "23,900원", "12.50 USD" or 23900
currency = "KRW"
payment_method = None
order_date = None
ship_date = None
promised_date = None
received_date = None
problem_kind = None
description = ""
tracking_number = None
''',
        ("md", "## 주문 입력 · The order form\n\n빈칸을 채우고 **사례 저장**을 누르세요. 잘못된 항목은 옆에 빨간 글씨로 표시됩니다. · "
               "Fill in the form and press **Save case**; problems appear in red next to the field."),
        ("code", "from casebook.steps import open_casebook, log_order, write_result, show\n\n" + OPEN + "\n"
                 "if headless:\n    fields = dict(order_id=order_id, platform=platform, item_title=item_title, option=option, price=price,\n"
                 "                  currency=currency, payment_method=payment_method, order_date=order_date, ship_date=ship_date,\n"
                 "                  promised_date=promised_date, received_date=received_date, problem_kind=problem_kind,\n"
                 "                  description=description, tracking_number=tracking_number)\n"
                 "    result = write_result(result_file, log_order(book, case_id=case_id, order_file=order_file, fields=fields,\n"
                 "                                                 today=today))\n"
                 "    show(result)\nelse:\n    from casebook.ui import LogOrderPanel\n\n    panel = LogOrderPanel(book, today=today)\n"
                 "    display(panel.widget)"),
    ),
    "02_check_tracking": notebook(
        "# 2단계: 배송 조회 · Step 2: check tracking",
        "**무엇을 하나요?** 배송 조회 화면을 붙여넣거나(키 없이) 17TRACK으로 조회하고, 타임라인과 문제 신호(멈춤, 약속일 경과, 통관 지연 …)를 봅니다. "
        "조회 결과는 증거로 사례에 저장됩니다.\n\n**What you will do:** paste the tracking page (no key needed) or ask 17TRACK, then read the "
        "timeline and its warnings (stalled, past the promised date, held at customs …). Each check is saved in the case as evidence.\n\n"
        "> 17TRACK 토큰은 환경 변수 `SEVENTEENTRACK_TOKEN`(또는 casebook.toml의 `[secrets]`)으로만 받습니다. 노트북에 입력하지 마세요. · "
        "The 17TRACK token comes only from the `SEVENTEENTRACK_TOKEN` environment variable (or `[secrets]` in casebook.toml): "
        "never type it into a notebook.",
        COMMON + '''
case_id = None         # the case to check (interactive: a picker; None starts on the case opened or saved last)
provider = "offline"   # "offline" (pasted page), "17track" or "unipass"
paste_file = None      # offline: a text file copied from the tracking page
''',
        ("md", "## 조회와 타임라인 · Tracking and timeline"),
        ("code", "from casebook.steps import check_tracking, open_casebook, write_result, show\n\n" + OPEN + "\n"
                 "if headless:\n    result = write_result(result_file, check_tracking(book, case_id, provider=provider, "
                 "paste_file=paste_file, today=today))\n    show(result)\nelse:\n    from casebook.services import pick_case\n    from casebook.ui import TrackingPanel\n\n"
                 "    panel = TrackingPanel(book, pick_case(book, case_id), today=today)\n"
                 "    display(panel.widget)"),
    ),
    "03_collect_evidence": notebook(
        "# 3단계: 증거 모으기 · Step 3: collect evidence",
        "**무엇을 하나요?** 사진·동영상·캡처를 올리고 종류와 설명을 붙입니다. 문제 유형에 필요한 증거 중 무엇이 빠졌는지 보여 주고, "
        "파일이 바뀌지 않았는지 (SHA-256) 확인합니다.\n\n**What you will do:** upload photos, videos and screenshots with a kind and a "
        "caption; see which evidence this problem still needs, and that no file was changed (SHA-256).",
        COMMON + '''
case_id = None         # the case (interactive: a picker; None starts on the case opened or saved last)
evidence = None        # headless: list of "path|kind|caption", e.g. ["photo.jpg|defect_photo|Crack on the lid"]
evidence_base = None   # folder that relative evidence paths start from
''',
        ("md", "## 파일 올리기와 체크리스트 · Upload and checklist"),
        ("code", "from casebook.steps import collect_evidence, open_casebook, write_result, show\n\n" + OPEN + "\n"
                 "if headless:\n    result = write_result(result_file, collect_evidence(book, case_id, "
                 "evidence, base=evidence_base))\n    show(result)\nelse:\n    from casebook.services import pick_case\n    from casebook.ui import EvidencePanel\n\n"
                 "    panel = EvidencePanel(book, pick_case(book, case_id), today=today)\n"
                 "    display(panel.widget)"),
    ),
    "04_dispute_summary": notebook(
        "# 4단계: 분쟁 요약 · Step 4: the dispute summary",
        "**무엇을 하나요?** 준비도와 다음 할 일, 기한(캘린더 파일 포함), 영어 분쟁 메시지와 한국어 기록본을 확인하고, "
        "보고서와 첨부 자료(zip)를 저장합니다. 전화번호·주소·통관부호는 기본적으로 가려집니다.\n\n**What you will do:** see readiness "
        "and next steps, deadlines (with a calendar file), the English dispute message and the Korean record, then save the report "
        "and the pack to attach (zip). Phone, address and customs code are masked by default.",
        COMMON + '''
case_id = None         # the case (interactive: a picker; None starts on the case opened or saved last)
output_dir = None      # where the message, report, pack and calendar go (default: the casebook's exports/ folder)
''',
        ("md", "## 메시지와 내보내기 · Message and exports"),
        ("code", "from casebook.steps import dispute_summary, open_casebook, write_result, show\n\n" + OPEN
                 + "\noutput = output_dir or book.path / 'exports'" + "\n"
                 "if headless:\n    result = write_result(result_file, dispute_summary(book, case_id, output, today=today))\n"
                 "    show(result)\nelse:\n    from casebook.services import pick_case\n    from casebook.ui import SummaryPanel\n\n"
                 "    panel = SummaryPanel(book, pick_case(book, case_id), output_dir=output, today=today)\n"
                 "    display(panel.widget)"),
    ),
    "05_batch": notebook(
        "# 여러 주문 한꺼번에 · Many orders at once (batch)",
        "**무엇을 하나요?** 주문 목록(CSV)의 모든 행에 대해 네 단계 노트북을 실행합니다. 진행 막대로 진행 상황을 보고, "
        "끝나면 행마다 결과(성공, 실패 이유)를 표로 봅니다. 다시 실행하면 끝난 행은 건너뜁니다.\n\n"
        "**What you will do:** run the four step notebooks for every row of an orders spreadsheet (CSV), watch a progress "
        "bar, then read one line per row (done, or why not). Running it again skips the rows already finished.",
        '''
orders_file = None     # the orders CSV; None: the bundled example (examples/batch/orders.csv)
output = None          # folder for executed notebooks and results; set it to run the batch (None: only preview)
workers = 2            # parallel workers, each with one kernel
engine = "local"       # "local": one kernel per worker, or "dask" (pip install 'casebook[dask]')
casebook_path = None   # None: a "casebook" folder inside `output`
result_file = None     # headless runs write their JSON result here
''',
        ("code", "from pathlib import Path\n\nfrom casebook.batch import orders_frame, results_frame, run_batch\n"
                 "from casebook.examples import examples_dir\nfrom casebook.steps import write_result\n\n"
                 "orders = Path(orders_file) if orders_file else examples_dir() / \"batch\" / \"orders.csv\"\n"
                 "orders_frame(orders)"),
        ("md", "## 실행과 결과 · Run and results\n\n문제가 있는 행은 `error` 칸에 이유가 적힙니다. · A row that failed says why in "
               "its `error` column."),
        ("code", "if output is not None:\n    results = run_batch(orders, Path(output), casebook_path=casebook_path or Path(output) / "
                 "\"casebook\",\n                        workers=workers, engine=engine)\n    table = results_frame(results)\n"
                 "    counts = table[\"status\"].value_counts().to_dict()\n"
                 "    write_result(result_file, {\"rows\": len(table), \"counts\": counts, \"summary_csv\": str(Path(output) / "
                 "\"summary.csv\")})\n    display(table)\nelse:\n"
                 "    print(\"output 을 정하면 실행합니다 · set `output` to run the batch\")"),
    ),
    "app": notebook(
        "# casebook 앱 · The casebook app",
        "**무엇을 하나요?** 문제가 생긴 해외직구 주문을 한 화면에서 처리합니다. 위에서 사례를 고르거나 새 주문을 기록하고, "
        "배송 조회 → 증거 → 분쟁 요약 순서로 **다음**을 누르세요. 만든 파일은 바로 내려받을 수 있습니다.\n\n"
        "**What you will do:** handle a problem order in one screen: choose a case at the top or log a new order, then press "
        "**Next** through tracking, evidence and the dispute summary. Every file you make downloads straight away.",
        COMMON + '''
case_id = None         # open this case at start
output_dir = None      # where exports are also kept (default: the casebook's exports/ folder)
''',
        ("code", "from casebook.steps import open_casebook\nfrom casebook.ui import CasebookApp\n\n" + OPEN + "\n"
                 "app = CasebookApp(book, case_id=case_id, output_dir=output_dir, today=today)\n"
                 "if case_id:\n    app.select(case_id)\ndisplay(app.widget)"),
        ("code", "from casebook.ui import when_visited\n\n"
                 "when_visited(app)  # Voila's preheated kernel ran the cells above early: read the casebook again on the visit"),
    ),
}


def main() -> None:
    for name, nb in NOTEBOOKS.items():
        nbformat.validate(nb)
        nbformat.write(nb, HERE / f"{name}.ipynb")


if __name__ == "__main__":
    main()
