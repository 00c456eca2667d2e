"""A separate process for the killed-import test: `python -m madoguchi.intake.tests.fault_worker
setup|import|inspect BUNDLE` against the database in DATABASE_URL."""

from __future__ import annotations

import io
import json
import sys
import time


def main(argv: list[str]) -> int:
    import django

    django.setup()
    from django.core.management import call_command

    from madoguchi.applications.models import Application
    from madoguchi.intake import services
    from madoguchi.tenancy.models import Municipality

    command, bundle_path = argv[0], argv[1]
    if command == "setup":
        from madoguchi.applications.tests.factories import FormVersionFactory, ProcedureFactory
        from madoguchi.tenancy.tests.factories import MunicipalityFactory

        from .bundles import PDF_BYTES, BundleBuilder, manifest

        call_command("migrate", verbosity=0)
        town = MunicipalityFactory(code="221309", name="テスト町")
        FormVersionFactory(procedure=ProcedureFactory(municipality=town, slug="test-certificate"))
        from madoguchi.applications.tests.factories import VALID_ANSWERS

        builder = BundleBuilder()
        for i in range(int(argv[2])):
            builder.add(
                manifest(
                    f"K{i:04d}",
                    procedure="test-certificate",
                    form_data={**VALID_ANSWERS, "id_document": {"file": "attachments/id.pdf"}},
                ),
                files={"attachments/id.pdf": PDF_BYTES + str(i).encode()},
            )
        with open(bundle_path, "wb") as out:
            out.write(builder.build())
        return 0
    town = Municipality.objects.get(code="221309")
    if command == "import":

        def slow(importer: services._Importer) -> None:
            def before_write(accepted: list[object]) -> None:
                print(f"chunk {len(accepted)}", flush=True)
                time.sleep(0.4)

            importer.before_write = before_write

        report = services.bundle_import(
            municipality=town, path_or_file=bundle_path, chunk_size=2, _hook=slow
        )
        print(f"done {report.imported} {report.duplicates} {report.rejected}", flush=True)
        return 0
    if command == "inspect":
        rows = []
        for app in Application.objects.for_municipality(town).order_by("receipt_number"):
            rows.append(
                {
                    "receipt": app.receipt_number,
                    "updated_at": app.updated_at.isoformat(),
                    "events": app.events.count(),
                    "attachments": app.attachments.count(),
                    "record": hasattr(app, "intake_record"),
                }
            )
        json.dump(rows, sys.stdout)
        return 0
    return 2


if __name__ == "__main__":
    sys.stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", line_buffering=True)
    raise SystemExit(main(sys.argv[1:]))
