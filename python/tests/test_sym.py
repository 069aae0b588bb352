"""Reduction, expansion and classification (Şimşek et al. 2021, Definitions 3.1-3.2):
a duplicated teacher unit reduces back to the teacher exactly, an expansion keeps the
network function, and the classifier calls the expanded teacher a global minimum."""
import numpy as np
import pytest

import landsym
from landsym import sym


def duplicated_teacher(cfg):
    """The 2-4-1 teacher as a 2-5-1 student: unit 0 copied, its outgoing weight split."""
    t = cfg.teacher_params
    return np.concatenate([t[:8], t[:2], [0.25], t[9:], [0.75]])


def test_reduce_recovers_the_teacher(thesis):
    red = sym.reduce(thesis.student, duplicated_teacher(thesis))
    assert red["net"].widths == [2, 4, 1] and not red["irreducible"]
    assert red["layers"][0]["group"] == [0, 1, 2, 3, 0]
    assert red["layers"][0]["group_size"] == [2, 1, 1, 1]
    np.testing.assert_array_equal(red["theta"], thesis.teacher_params)
    again = sym.reduce(red["net"], red["theta"])
    assert again["irreducible"] and again["net"].widths == [2, 4, 1]


def test_expand_keeps_the_function(thesis):
    big, theta_m, origin = sym.expand(thesis.teacher, thesis.teacher_params, layer=1, m=7,
                                      seed=3)
    assert big.widths == [2, 7, 1] and len(origin) == 7
    with landsym.Landscape(thesis.teacher, thesis.data) as a, \
            landsym.Landscape(big, thesis.data) as b:
        x = thesis.data.x
        np.testing.assert_allclose(b.forward(theta_m, x), a.forward(thesis.teacher_params, x),
                                   rtol=0, atol=1e-13)
    back = sym.reduce(big, theta_m)
    assert back["net"].widths == [2, 4, 1]


def test_classify(thesis):
    c = sym.classify(thesis.student, thesis.data, duplicated_teacher(thesis),
                     teacher=thesis.teacher, theta_t=thesis.teacher_params)
    assert c["class"] == "global" and c["teacher_match"] and c["reduced_widths"] == [4]
    assert np.isnan(c["near_global_dist"]) and not c["continued"]
    assert c["reduced_net"].widths == [2, 4, 1]
    rows = sym.classify_many(thesis.student, thesis.data,
                             [thesis.student.init(0), duplicated_teacher(thesis)],
                             continue_iter=0)
    assert [r["run"] for r in rows] == [0, 1]
    assert rows[0]["class"] == "not_converged" and rows[1]["class"] == "global"
    assert not rows[0]["continued"] and np.isnan(rows[0]["continue_loss"])
    with pytest.raises(TypeError, match="unknown option"):
        sym.classify(thesis.student, thesis.data, thesis.student.init(0), grad_toll=1)


def test_classify_continues_an_unexplained_run(thesis):
    """The initial point has no certificate; continued (Adam, then Newton) it ends at a
    certified point whose own classification agrees (docs/classify.md)."""
    theta0 = thesis.student.init(0)
    c = sym.classify(thesis.student, thesis.data, theta0, teacher=thesis.teacher,
                     theta_t=thesis.teacher_params)
    assert c["continued"] and c["class"] != "not_converged" and c["run_reason"]
    with landsym.Landscape(thesis.student, thesis.data) as ls:
        assert c["run_loss"] == pytest.approx(ls.loss(theta0), rel=1e-14)
    assert c["loss"] == c["continue_loss"] <= c["run_loss"]


def test_classify_table_as_dataframe(thesis):
    pd = pytest.importorskip("pandas")
    rows = sym.classify_many(thesis.student, thesis.data, [duplicated_teacher(thesis)])
    df = sym.to_frame(rows)
    assert isinstance(df, pd.DataFrame) and df["class"].tolist() == ["global"]
