import io

import pytest
from django.core.management import call_command


@pytest.fixture
def run_import(tmp_path):
    """Write `text` as FILE and run `import_data KIND FILE`; returns (stdout, stderr)."""

    def run(kind, text, *args, name=None, encoding="utf-8"):
        path = tmp_path / (name or f"{kind}.csv")
        path.write_bytes(text.encode(encoding))
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command("import_data", kind, str(path), *args, stdout=out, stderr=err)
        finally:
            run.stderr = err.getvalue()
        return out.getvalue(), err.getvalue()

    return run


@pytest.fixture
def export(tmp_path):
    def run(kind):
        out = io.StringIO()
        call_command("export_data", kind, stdout=out)
        return out.getvalue()

    return run
