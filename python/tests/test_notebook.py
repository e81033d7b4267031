"""docs/notebooks/korea-jv.ipynb executes without error."""

import nbformat
from nbclient import NotebookClient

from conftest import REPO


def test_korea_jv_notebook_executes():
    path = REPO / "docs" / "notebooks" / "korea-jv.ipynb"
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "the plot was not drawn"
    text = "".join(o.get("text", "") for o in outputs)
    assert "Korean assembly overtakes shipping direct" in text
