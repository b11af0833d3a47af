"""Layer summaries and architecture diagrams, checked against the book's LeNet table."""

import xml.etree.ElementTree as ET

import pytest
import torch
from torch import nn

from d2lref.models.lenet import lenet
from d2lref.viz import (
    ArchitectureDiagram,
    architecture_diagram,
    compare_architectures,
    describe_layer,
    layer_summary,
    print_layer_shapes,
)

LENET_SHAPES = [
    (6, 28, 28), (6, 28, 28), (6, 14, 14),
    (16, 10, 10), (16, 10, 10), (16, 5, 5),
    (400,), (120,), (120,), (84,), (84,), (10,),
]


def test_layer_summary_of_lenet_matches_the_book() -> None:
    rows = layer_summary(lenet(), (1, 1, 28, 28))
    assert [row.feature_shape for row in rows] == LENET_SHAPES
    assert [row.num_params for row in rows] == [156, 0, 0, 2416, 0, 0, 0, 48120, 0, 10164, 0, 850]
    assert sum(row.num_params for row in rows) == 61_706
    assert rows[0].description == "Conv2d 1→6, 5×5, pad 2"
    assert rows[2].description == "AvgPool2d 2×2, stride 2"
    assert rows[7].description == "Linear 400→120"


def test_layer_summary_shows_one_row_per_nested_block() -> None:
    block = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU())
    net = nn.Sequential(block, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 2))
    rows = layer_summary(net, (2, 3, 16, 16))
    assert [row.layer for row in rows] == ["Sequential", "AdaptiveAvgPool2d", "Flatten", "Linear"]
    assert rows[0].output_shape == torch.Size([2, 8, 16, 16])
    assert rows[0].num_params == 3 * 8 * 9 + 8 + 2 * 8
    assert rows[0].description == "conv 3×3 + BN"


def test_layer_summary_leaves_mode_and_batch_norm_statistics_alone() -> None:
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2))
    before = net[1].running_mean.clone()
    net.train()
    layer_summary(net, (4, 1, 8, 8))
    assert net.training
    assert torch.equal(net[1].running_mean, before)


def test_print_layer_shapes_prints_the_book_lines(capsys: pytest.CaptureFixture[str]) -> None:
    print_layer_shapes(lenet(), (1, 1, 28, 28))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Conv2d output shape:\t torch.Size([1, 6, 28, 28])"
    assert lines[-1] == "Linear output shape:\t torch.Size([1, 10])"
    assert len(lines) == 12


def test_architecture_diagram_is_well_formed_svg_naming_every_layer(tmp_path) -> None:
    diagram = architecture_diagram(lenet(), (1, 1, 28, 28), title="LeNet <5> & co")
    assert isinstance(diagram, ArchitectureDiagram)
    root = ET.fromstring(diagram._repr_svg_())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = [el.text for el in root.iter("{http://www.w3.org/2000/svg}text")]
    for label in ["Conv2d 1→6, 5×5, pad 2", "Conv2d 6→16, 5×5", "Linear 400→120",
                  "Linear 120→84", "Linear 84→10", "Input 1×28×28", "LeNet <5> & co"]:
        assert label in texts
    for detail in ["6×28×28", "6×14×14", "16×10×10", "16×5×5", "400 ·", "120 ·", "84 ·", "10 ·"]:
        assert any(t and t.startswith(detail) for t in texts), detail
    assert "Total: 61,706 parameters" in texts
    path = tmp_path / "lenet.svg"
    diagram.save(path)
    assert path.read_text(encoding="utf-8") == diagram.svg


def test_architecture_diagram_is_deterministic() -> None:
    assert architecture_diagram(lenet(), (1, 1, 28, 28)).svg == \
        architecture_diagram(lenet(), (1, 1, 28, 28)).svg


def test_compare_architectures_places_panels_side_by_side() -> None:
    small = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    both = compare_architectures([("LeNet", lenet()), ("Softmax", small)], (1, 1, 28, 28))
    root = ET.fromstring(both.svg)
    groups = root.findall("{http://www.w3.org/2000/svg}g")
    assert [g.get("transform").startswith("translate(") for g in groups] == [True, True]
    assert groups[0].get("transform") == "translate(0.0,0)"
    assert groups[1].get("transform") != groups[0].get("transform")
    assert [len(rows) for rows in both.rows] == [12, 2]
    per_net = compare_architectures(
        [("LeNet", lenet()), ("Big", nn.Sequential(nn.Flatten(), nn.Linear(3 * 32 * 32, 10)))],
        [(1, 1, 28, 28), (1, 3, 32, 32)],
    )
    assert per_net.rows[1][1].num_params == 3 * 32 * 32 * 10 + 10


def test_describe_layer_covers_common_layers() -> None:
    assert describe_layer(nn.Conv2d(3, 96, 11, stride=4, padding=1)) == \
        "Conv2d 3→96, 11×11, pad 1, stride 4"
    assert describe_layer(nn.MaxPool2d(3, stride=2)) == "MaxPool2d 3×3, stride 2"
    assert describe_layer(nn.Dropout(0.5)) == "Dropout p=0.5"
    assert describe_layer(nn.BatchNorm2d(16)) == "BatchNorm2d 16"
    block = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.ReLU(), nn.ReLU())
    assert describe_layer(block) == "dense"
    assert describe_layer(nn.Sequential(nn.ReLU())) == "Sequential"


def test_block_labels_read_like_the_book_and_are_never_cut() -> None:
    vgg_block = nn.Sequential(nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(),
                              nn.Conv2d(128, 128, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
    assert describe_layer(vgg_block) == "conv 3×3 ×2 + pool"
    nin_block = nn.Sequential(nn.Conv2d(1, 96, 11, stride=4), nn.ReLU(), nn.Conv2d(96, 96, 1),
                              nn.ReLU(), nn.Conv2d(96, 96, 1), nn.ReLU())
    assert describe_layer(nin_block) == "conv 11×11 + conv 1×1 ×2"
    long = nn.Sequential(*[nn.Sequential(nn.Identity()) for _ in range(3)], nn.BatchNorm2d(1),
                         nn.LeakyReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.1),
                         nn.Linear(1, 1))
    assert describe_layer(long) == "Sequential ×3 + BN + global pool + dropout + dense"
    diagram = architecture_diagram(nn.Sequential(vgg_block, nn.Flatten()), (1, 64, 8, 8))
    assert "conv 3×3 ×2 + pool" in diagram.svg and "…" not in diagram.svg


def test_names_label_blocks_with_the_variables_of_the_text() -> None:
    from d2lref.models.googlenet import googlenet

    net = googlenet()
    names = ["b1", "b2", "b3", "b4", "b5", None]
    diagram = architecture_diagram(net, (1, 1, 96, 96), names=names)
    labels = [row.description for row in diagram.rows[0]]
    assert labels[2] == "b3: Inception ×2 + pool"
    assert labels[4] == "b5: Inception ×2 + global pool"
    assert labels[5] == "Linear 1024→10"
    assert "b3: Inception ×2 + pool" in diagram.svg
    with pytest.raises(ValueError, match="one label .* per top-level child"):
        architecture_diagram(net, (1, 1, 96, 96), names=["b1"])
    both = compare_architectures([("a", net), ("b", net)], (1, 1, 96, 96), names=[names, None])
    assert both.rows[0][0].description.startswith("b1: ")
    assert not both.rows[1][0].description.startswith("b1: ")
    with pytest.raises(ValueError, match="lists of names"):
        compare_architectures([("a", net)], (1, 1, 96, 96), names=[names, names])


def test_bad_input_shapes_give_clear_errors() -> None:
    with pytest.raises(ValueError, match="batch dimension"):
        layer_summary(lenet(), (28,))
    with pytest.raises(ValueError, match="input_shape the network expects"):
        layer_summary(lenet(), (1, 3, 28, 28))
    with pytest.raises(TypeError, match="nn.Module"):
        layer_summary("lenet", (1, 1, 28, 28))
    with pytest.raises(ValueError, match="one shape"):
        compare_architectures([("a", lenet()), ("b", lenet())], [(1, 1, 28, 28)])
