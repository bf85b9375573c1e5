"""`python -m solver.train.pretrain --set KEY=JSON`: every override validated, a bad one is one line and exit 2."""

import re
import subprocess
import sys

import pytest

from solver.settings import ConfigError
from solver.train.config import pretrain_config, pretrain_preset
from solver.train.pretrain import main
from tests.helpers import ROOT


def test_overrides_are_typed_and_validated_as_the_whole_config():
    cfg = pretrain_config("tiny", ["total_steps=5000", "betas=[0.8, 0.9]", "lr=1", 'loss="softmax"', "translate=false"])
    assert (cfg.total_steps, cfg.betas, cfg.lr, cfg.loss, cfg.translate) == (5000, (0.8, 0.9), 1.0, "softmax", False)
    assert isinstance(cfg.lr, float) and cfg.model == pretrain_preset("tiny").model
    assert pretrain_config("tiny", []) == pretrain_preset("tiny")


BAD_SETTINGS = {
    "total_steps=abc": "not JSON; total_steps is an integer",
    "loss=softmax": "text needs quotes: loss='\"softmax\"'",
    "total_steps=1.5": "total_steps is an integer",
    "translate=1": "translate is true or false",
    "betas=[0.9]": "betas is a list of 2 numbers",
    "total_step=10": "not a PretrainConfig field",
    "total_steps": "expected KEY=JSON",
    "total_steps=0": "total_steps must be >= 1",
    'loss="hinge"': "loss must be one of",
    "ema_decay=1.0": "ema_decay must be in [0, 1)",
    'model="huge"': "unknown model preset",
}


@pytest.mark.parametrize("setting", BAD_SETTINGS)
def test_a_bad_setting_is_one_line_and_exit_2(setting, tmp_path, capsys):
    with pytest.raises(ConfigError, match=re.escape(BAD_SETTINGS[setting])):
        pretrain_config("tiny", [setting])
    with pytest.raises(SystemExit) as stopped:
        main(["--preset", "tiny", "--set", setting, "--out", str(tmp_path / "run"), "--minutes", "1"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and BAD_SETTINGS[setting] in err
    assert not (tmp_path / "run").exists()  # nothing started


def test_the_command_itself_prints_no_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "solver.train.pretrain", "--preset", "huge", "--out", str(tmp_path), "--minutes", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines()[-1].startswith("error: unknown pretraining preset 'huge'")
    assert "Traceback" not in result.stderr
