"""Chapter 14's accuracy-vs-MACs plot: every marker at its exact MAC count, and no recipe number that
overlaps another number, a marker or an error bar, or leaves its panel, in either language."""
import itertools

import matplotlib

matplotlib.use("Agg")

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

import d2lcnn
from d2lcnn.figures import summary

# The ten recipes as the chapter computes them (MACs and parameters at each recipe's input size; the notes'
# accuracy; the book's stored runs as they stood when this test was written). Values only feed the layout.
POINTS = [
    ("lenet_sigmoid", "LeNet (sigmoid, avg pool)", 416520, 61706, 0.821, (0.8026, 0.7796, 0.8353, 4)),
    ("lenet_relu", "LeNet (ReLU, max pool)", 416520, 61706, 0.885, (0.8822, 0.8718, 0.89, 4)),
    ("alexnet", "AlexNet", 938146176, 46764746, 0.899, (0.8846, 0.8846, 0.8846, 1)),
    ("vgg11_4", "VGG-11 (channels / 4)", 512155648, 43093322, 0.928, (0.9222, 0.9222, 0.9222, 1)),
    ("nin", "NiN", 762297352, 1992166, 0.787, (0.4841, 0.1, 0.8728, 3)),
    ("googlenet", "GoogLeNet", 276066304, 5977530, 0.878, (0.7862, 0.7832, 0.7891, 2)),
    ("lenet_bn_scratch", "LeNet + BN (from scratch)", 281640, 44878, 0.871, (0.7989, 0.7126, 0.8665, 6)),
    ("lenet_bn_builtin", "LeNet + BN (built-in layers)", 281640, 44878, 0.885, (0.7906, 0.7083, 0.8679, 4)),
    ("resnet18", "ResNet-18", 318657536, 11175370, 0.913, (0.8867, 0.8501, 0.9233, 2)),
    ("densenet", "DenseNet", 129077168, 757322, 0.882, (0.8447, 0.8447, 0.8447, 1)),
]


def _points(rows=POINTS):
    return [{"name": n, "title": t, "title_zh": t + "（中）", "macs": m, "params": p, "notes_acc": a,
             "book": {"mean": b[0], "min": b[1], "max": b[2], "n": b[3]} if b else None}
            for n, t, m, p, a, b in rows]


def _draw(points, lang):
    with d2lcnn.lang.lang_context(lang):  # the CJK font, as show_figure draws it
        fig = summary.plot_accuracy_vs_macs(points, lang=lang)
    canvas = FigureCanvasAgg(fig)  # a closed figure has lost its pyplot canvas
    canvas.draw()  # lays out the key
    return fig, canvas.get_renderer()


def _boxes(artists, renderer):
    return [tuple(a.get_window_extent(renderer).extents) for a in artists]


def _overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _no_overlap(boxes):
    return not any(_overlap(a, b) for a, b in itertools.combinations(boxes, 2))


def test_the_overlap_check_can_fail():
    assert not _no_overlap([(0, 0, 10, 10), (5, 5, 15, 15)])
    assert _no_overlap([(0, 0, 10, 10), (10, 0, 20, 10)])


@pytest.mark.parametrize("rows", [POINTS, POINTS[:2] + POINTS[6:8]], ids=["ten recipes", "the four LeNets"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_numbers_overlap_nothing_and_stay_in_their_panel(lang, rows):
    points = _points(rows)
    fig, renderer = _draw(points, lang)
    left, right = fig.axes
    for ax, expected in ((left, len(points)), (right, sum(bool(p["book"]) for p in points))):
        labels = [t for t in ax.texts if t.get_gid() == summary.LABEL_GID]
        assert [t.get_text() for t in labels] == [str(k) for k in range(1, expected + 1)]
        boxes = _boxes(labels, renderer)
        assert _no_overlap(boxes), [t.get_text() for t in labels]
        frame = ax.get_window_extent(renderer).extents
        assert all(frame[0] <= b[0] and b[2] <= frame[2] and frame[1] <= b[1] and b[3] <= frame[3] for b in boxes)
        # no number on any marker (the markers' drawn extents, the error bars' included)
        markers = [c for c in ax.collections] + [line for line in ax.lines if line.get_marker() not in (None, "None")]
        marker_boxes = []
        for artist in markers:
            if hasattr(artist, "get_offsets") and len(artist.get_offsets()):
                marker_boxes += [tuple(b.extents) for b in
                                 [artist.get_window_extent(renderer)]]
            else:
                marker_boxes.append(tuple(artist.get_window_extent(renderer).extents))
        for box in boxes:
            assert not any(_overlap(box, m) for m in marker_boxes if m[2] > m[0] and m[3] > m[1])
    # the key's entries do not overlap either
    key = fig.legends[0]
    assert _no_overlap(_boxes(key.get_texts(), renderer))
    assert len(key.get_texts()) == len(points)


def test_every_marker_sits_at_its_exact_mac_count():
    points = _points()
    fig, _ = _draw(points, "en")
    left, right = fig.axes
    xs = sorted(x for c in left.collections for x, _ in c.get_offsets())
    assert xs == sorted(float(p["macs"]) for p in points)  # no horizontal offset for any recipe
    diamonds = sorted(float(line.get_xdata()[0]) for line in right.lines if line.get_marker() == "D")
    assert diamonds == sorted(float(p["macs"]) for p in points)
    assert left.get_xscale() == right.get_xscale() == "log" and left.get_ylim() == right.get_ylim()


@pytest.mark.parametrize("lang, words", [("en", ("The notes", "This book", "ResNet-18: 11.18 M parameters")),
                                         ("zh", ("笔记", "本书", "ResNet-18（中）：11.18 M 个参数"))])
def test_titles_and_key_in_each_language(lang, words):
    fig, _ = _draw(_points(), lang)
    texts = [ax.get_title() for ax in fig.axes] + [t.get_text() for t in fig.legends[0].get_texts()]
    for word in words:
        assert any(word in t for t in texts), (word, texts)


def test_a_plot_too_crowded_to_label_is_refused():
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(1.5, 1.2))
    ax.set_xlim(0, 1), ax.set_ylim(0, 1)
    renderer = FigureCanvasAgg(fig).get_renderer()
    placed = summary.place_labels(ax, [(str(k), 0.5, 0.5, 3) for k in range(3)], renderer)
    assert len(placed) == 3
    with pytest.raises(ValueError, match="no free place"):  # forty labels on one spot of a small panel
        summary.place_labels(ax, [(str(k), 0.5, 0.5, 3) for k in range(40)], renderer)
    plt.close(fig)
