import subprocess
import sys
import textwrap

from etl.load import load_files
from tests.conftest import HAND_MADE, REPO, scalar

CLAIMS_PER_FILE = 50
FILES = 40
HEADER = (HAND_MADE / "claims.csv").read_text().splitlines()[0]

READER = textwrap.dedent(
    """
    import sys, time
    from etl.db import read_connection, scalar
    # read until the load's last claims show (or two minutes pass): a busy machine may take a while to start the load
    db, expected = sys.argv[1], int(sys.argv[2])
    counts, deadline = [], time.monotonic() + 120
    while time.monotonic() < deadline and (not counts or counts[-1] < expected):
        with read_connection(db) as con:
            counts.append(scalar(con, "select count(*) from claims"))
        if len(counts) == 1:
            print("ready", flush=True)
    print(" ".join(map(str, counts)))
    """
)


def write_claim_files(folder, files):
    for number in range(files):
        rows = [
            f"F{number}-{claim},P1,Payer,,,,,,,,,,,2026-08-01,,2026-08-02,10.00,1,99211,,1,10.00,,"
            for claim in range(CLAIMS_PER_FILE)
        ]
        (folder / f"claims_{number:02}.csv").write_text("\n".join([HEADER, *rows]) + "\n")


def test_a_reader_in_another_process_never_fails_and_never_sees_half_a_file(db_path, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_claim_files(inbox, files=FILES)
    load_files([], db_path)  # create the schema so the reader has a table to count
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(db_path), str(FILES * CLAIMS_PER_FILE)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert reader.stdout.readline().strip() == "ready"

    results = load_files([inbox], db_path)
    output, errors = reader.communicate(timeout=180)

    assert reader.returncode == 0, errors
    counts = [int(value) for value in output.split()]
    assert len(counts) > 10
    assert all(count % CLAIMS_PER_FILE == 0 for count in counts)
    assert len(set(counts)) >= 2, "the reader never ran while the load was in progress"
    assert [result.status for result in results] == ["loaded"] * FILES
    assert scalar(db_path, "select count(*) from claims") == FILES * CLAIMS_PER_FILE
