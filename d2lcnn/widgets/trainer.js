/* d2lcnn trainer view (d2lcnn/widgets/trainer.js): the page side of train_in_browser.

   Loaded on demand by trainer_boot.js (never before the reader asks), after train.js and
   train_worker.js. window.d2lcnnTrainer.start(root, getData) -> Promise of the view of that root:
   {train(), relabel(), predicted(i), handle}. The training itself runs in a Web Worker
   (d2lcnnTrainClient); this file only draws: the curves (SVG), the statistics line, the first-layer
   kernels (canvas), the batch-norm accuracies, and on demand the look-inside view (stepper.js's, given
   the reader's weights with batch norm folded into the layer before it).

   The loop: train a segment (an eighth of an epoch), evaluate on the first EVAL_LIMIT test images,
   redraw the kernels, repeat; the full test subset is evaluated when a run ends or pauses. Progress
   messages of the worker are drawn at most once per animation frame, so the page stays responsive. */
(function (global) {
  'use strict';
  var EVAL_LIMIT = 500, SEGMENTS_PER_EPOCH = 8, CHUNK = 2, RECAL_BATCHES = 10;
  var COLORS = ['#1f5f99', '#b45309', '#2f7d32'];
  var SVGNS = 'http://www.w3.org/2000/svg';

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return values.hasOwnProperty(key) ? String(values[key]) : whole;
    });
  }
  function pct(v) { return v === null || v === undefined ? '–' : (100 * v).toFixed(1) + ' %'; }
  function num(v, digits) { return v === null || v === undefined ? '–' : v.toFixed(digits); }

  /* A preset name as the engine takes it: 'lenet-relu-avg' is the ReLU LeNet with average pooling. */
  function presetSpec(name) {
    var P = global.d2lcnnTrain.PRESETS;
    if (name === 'lenet-relu-avg') {
      var spec = JSON.parse(JSON.stringify(P['lenet-relu']));
      spec.layers.forEach(function (l) { if (l.type === 'maxpool') l.type = 'avgpool'; });
      return spec;
    }
    if (!P[name]) throw new Error('unknown preset ' + name + ': use one of ' + Object.keys(P).concat(['lenet-relu-avg']).join(', '));
    return P[name];
  }

  /* The look-inside view's layers from the reader's weights: batch norm folded into the conv or dense
     layer before it (eval mode: y = gamma (x - mean) / sqrt(var + eps) + beta). */
  function insideLayers(spec, weights, buffers) {
    var layers = [], w = 0, b = 0;
    spec.layers.forEach(function (l) {
      var k = l.k === undefined ? null : (typeof l.k === 'number' ? [l.k, l.k] : l.k);
      if (l.type === 'conv') {
        var p = l.p || 0, s = l.s || 1;
        layers.push({type: 'conv', ci: l['in'], k: k, p: typeof p === 'number' ? [p, p] : p,
                     s: typeof s === 'number' ? [s, s] : s, d: [1, 1], weight: weights[w].slice(), bias: weights[w + 1].slice()});
        w += 2;
      } else if (l.type === 'linear') {
        layers.push({type: 'linear', 'in': l['in'], out: l.out, weight: weights[w].slice(), bias: weights[w + 1].slice()});
        w += 2;
      } else if (l.type === 'bn') {
        var gamma = weights[w], beta = weights[w + 1], stats = buffers[b], last = layers[layers.length - 1];
        w += 2; b += 1;
        var per = last.weight.length / gamma.length;
        for (var c = 0; c < gamma.length; c++) {
          var scale = gamma[c] / Math.sqrt(stats['var'][c] + 1e-5);
          for (var t = 0; t < per; t++) last.weight[c * per + t] *= scale;
          last.bias[c] = (last.bias[c] - stats.mean[c]) * scale + beta[c];
        }
      } else if (l.type === 'maxpool' || l.type === 'avgpool') {
        var st = l.s === undefined ? k : (typeof l.s === 'number' ? [l.s, l.s] : l.s), pp = l.p || 0;
        layers.push({type: l.type, k: k, s: st, p: typeof pp === 'number' ? [pp, pp] : pp});
      } else {
        layers.push({type: l.type});
      }
    });
    return layers;
  }

  function heat(v, limit) {
    var t = limit > 0 ? Math.max(-1, Math.min(1, v / limit)) : 0;
    var to = t < 0 ? [33, 102, 172] : [214, 96, 0], a = Math.abs(t);
    return [Math.round(255 + (to[0] - 255) * a), Math.round(255 + (to[1] - 255) * a), Math.round(255 + (to[2] - 255) * a)];
  }

  function start(root, getData) {
    if (root.d2tView) return Promise.resolve(root.d2tView);
    var d = root.d2tData || JSON.parse(root.querySelector('script.d2t-data').textContent);
    var exp = d.exp || null;
    var el = {
      status: root.querySelector('.d2t-status'), stats: root.querySelector('.d2t-stats'),
      train: root.querySelector('[data-a=train]'), pause: root.querySelector('[data-a=pause]'),
      reset: root.querySelector('[data-a=reset]'), inside: root.querySelector('[data-a=inside]'),
      loss: root.querySelector('svg[data-p=loss]'), acc: root.querySelector('svg[data-p=acc]'),
      legend: root.querySelector('.d2t-legend'), bn: root.querySelector('.d2t-bn'),
      kernels: root.querySelector('.d2t-kernels'), krow: root.querySelector('.d2t-krow'),
      all: root.querySelector('[data-a=all]'), insideBox: root.querySelector('.d2t-inside')
    };
    var client = null, counts = null, settings = null, busy = false, paused = false, drawPending = false;
    var runs = [], current = null, lastProgress = null, bnText = null, statusKey = null, statusValues = {};
    var lang = function () { return root.getAttribute('data-lang'); };
    var L = function (key, values) { return fill((d.L[lang()] || d.L.en)[key], values || {}); };

    function setStatus(key, values) { statusKey = key; statusValues = values || {}; el.status.textContent = L(key, statusValues); }
    function setBusy(value) {
      busy = root.d2tBusy = value;
      el.train.disabled = value || (exp && root.d2tPrediction === null);
      el.pause.disabled = !value;
      el.reset.disabled = value;
      el.inside.hidden = value || !current || !current.seen;
      var controls = root.querySelectorAll('.d2t-ctl select, .d2t-predict input');
      for (var n = 0; n < controls.length; n++) controls[n].disabled = value || (!!exp && controls[n].tagName === 'SELECT');
    }

    /* ------------------------------------------------------------ settings */
    function readControls() {
      var s = {};
      var selects = root.querySelectorAll('.d2t-ctl select');
      for (var n = 0; n < selects.length; n++) {
        var key = selects[n].getAttribute('data-c'), v = selects[n].value;
        s[key] = key === 'lr' ? parseFloat(v) : key === 'batchSize' ? parseInt(v, 10) : v;
      }
      s.seed = d.settings.seed || 0;
      return s;
    }
    function writeControls(s) {
      var selects = root.querySelectorAll('.d2t-ctl select');
      for (var n = 0; n < selects.length; n++) {
        var key = selects[n].getAttribute('data-c');
        if (s[key] === undefined) continue;
        var value = String(s[key]), found = false;
        for (var o = 0; o < selects[n].options.length; o++) if (selects[n].options[o].value === value) found = true;
        if (!found) { var opt = document.createElement('option'); opt.value = opt.textContent = value; selects[n].appendChild(opt); }
        selects[n].value = value;
      }
    }
    function engineSettings(s) {
      return {preset: presetSpec(s.preset), lr: s.lr, batchSize: s.batchSize, optimizer: s.optimizer,
              init: s.init, seed: s.seed || 0};
    }
    function newRun(s, label, color, stored) {
      return {settings: s, label: label, color: color, stored: stored || null, points: [], tests: [],
              seen: 0, epoch: 0, testAcc: null, recalAcc: null, recalTests: [], done: false, planned: null};
    }
    /* A new network of settings s in the worker (the data loaded first, once). */
    function setup(s, label, color, stored) {
      return (counts ? Promise.resolve(counts) : load()).then(function () {
        settings = s;
        return client.setup(engineSettings(s));
      }).then(function () {
        current = newRun(s, label, color, stored);
        return current;
      });
    }
    function load() {
      setStatus('tr_loading');
      return getData().then(function (data) {
        if (!data) throw new Error(L('tr_nodata'));
        client = global.d2lcnnTrainClient();
        return client.load(data);
      }).then(function (c) {
        counts = c;
        setStatus('tr_ready', {train: c.train, test: c.test});
        return c;
      });
    }

    /* --------------------------------------------------------------- train */
    /* Train `batches` batches of the current run in segments, evaluating after each; resolves when they
       are done or the reader paused. */
    function trainBatches(batches) {
      var perEpoch = Math.ceil(counts.train / settings.batchSize);
      var segment = Math.max(1, Math.round(perEpoch / SEGMENTS_PER_EPOCH)), left = batches, run = current;
      paused = false;
      setBusy(true);
      setStatus(exp ? 'tr_run_of' : 'tr_running', statusValues);
      if (!exp) setStatus('tr_running');
      function next() {
        if (paused || left <= 0) return finish();
        var k = Math.min(segment, left);
        return client.run(k, function (p) {
          run.seen = p.seen; run.epoch = p.epoch; lastProgress = p;
          run.points.push({x: p.epoch, loss: p.loss, acc: p.acc});
          run.speed = p.seconds > 0 ? p.seen / p.seconds : null;
          schedule();
        }, CHUNK).then(function (p) {
          left -= k;
          /* The recalibration experiment measures both at every point (chapter 11: the moving
             averages swing, recalibrated statistics do not); elsewhere only at the end. */
          if (exp && exp.recalibrate && canRecalibrate()) {
            return client.recalibrate(RECAL_BATCHES).then(function () {
              return client.evaluate(EVAL_LIMIT, {recalibrated: true});
            });
          }
          return client.evaluate(EVAL_LIMIT);
        }).then(function (t) {
          run.tests.push({x: run.epoch, acc: t.acc});
          if (t.recalibratedAcc !== undefined) run.recalTests.push({x: run.epoch, acc: t.recalibratedAcc});
          run.testAcc = t.acc;
          schedule();
          return drawKernels();
        }).then(next);
      }
      function finish() {
        return client.evaluate().then(function (t) {
          run.testAcc = t.acc;
          if (run.tests.length) run.tests[run.tests.length - 1].acc = t.acc;
          run.fullTest = true;
          return bnAccuracies(run);
        }).then(function () {
          setBusy(false);
          if (!exp) setStatus(paused ? 'tr_paused' : 'tr_done', {seen: run.seen});
          schedule();
          return metrics();
        });
      }
      return next().then(null, function (error) {
        setBusy(false);
        setStatus('tr_failed', {why: String(error && error.message || error)});
        throw error;
      });
    }

    /* For a batch-norm net: test accuracy with the moving averages and, where the engine can, with
       statistics recalibrated on training batches (chapter 11). */
    function bnAccuracies(run) {
      if (run.settings.preset !== 'lenet-bn') { bnText = null; return Promise.resolve(); }
      bnText = [['tr_bn_moving', {acc: pct(run.testAcc)}]];
      if (!canRecalibrate()) {
        bnText.push(['tr_bn_norecal', {}]);
        return Promise.resolve();
      }
      return client.recalibrate(RECAL_BATCHES).then(function () {
        return client.evaluate(null, {recalibrated: true});
      }).then(function (t) {
        run.recalAcc = t.recalibratedAcc;
        if (run.recalTests.length) run.recalTests[run.recalTests.length - 1].acc = t.recalibratedAcc;
        bnText.push(['tr_bn_recal', {acc: pct(t.recalibratedAcc)}]);
      });
    }

    /* The worker's recalibrate() (train_worker.js) where this engine has it. */
    function canRecalibrate() { return client && typeof client.recalibrate === 'function'; }

    function drawKernels() {
      return client.weights().then(function (w) {
        current.weights = w;
        var first = w.weights[0], count = first.length / 25, limit = 0, n;
        for (n = 0; n < first.length; n++) limit = Math.max(limit, Math.abs(first[n]));
        if (el.krow.children.length !== count) {
          el.krow.innerHTML = '';
          for (n = 0; n < count; n++) {
            var canvas = document.createElement('canvas');
            canvas.width = canvas.height = 5;
            canvas.setAttribute('role', 'img');
            canvas.setAttribute('aria-label', 'kernel ' + n);
            el.krow.appendChild(canvas);
          }
        }
        for (n = 0; n < count; n++) {
          var context = el.krow.children[n].getContext('2d'), image = context.createImageData(5, 5);
          for (var t = 0; t < 25; t++) {
            var rgb = heat(first[n * 25 + t], limit);
            image.data[4 * t] = rgb[0]; image.data[4 * t + 1] = rgb[1]; image.data[4 * t + 2] = rgb[2]; image.data[4 * t + 3] = 255;
          }
          context.putImageData(image, 0, 0);
        }
        el.kernels.hidden = false;
      });
    }

    /* ---------------------------------------------------------------- draw */
    function schedule() {
      if (drawPending) return;
      drawPending = true;
      (global.requestAnimationFrame || setTimeout)(function () { drawPending = false; draw(); });
    }
    function allRuns() { return current && runs.indexOf(current) < 0 ? runs.concat([current]) : runs; }
    function draw() {
      var list = allRuns(), showAll = el.all && el.all.checked, xmax = 0, lmax = 0;
      list.forEach(function (r) {
        xmax = Math.max(xmax, r.planned || 0, r.epoch);
        r.points.forEach(function (p) { lmax = Math.max(lmax, p.loss); });
        if (showAll && r.stored) xmax = Math.max(xmax, r.stored.test.length);
        if (showAll && r.stored) r.stored.loss.forEach(function (v) { lmax = Math.max(lmax, v); });
      });
      xmax = xmax > 0 ? xmax : 1;
      lmax = Math.min(Math.max(lmax, 0.5), 4) * 1.05;
      plot(el.loss, list, 'loss', xmax, lmax);
      plot(el.acc, list, 'acc', xmax, 1);
      legend(list);
      stats();
    }
    function svg(name, attrs, parent) {
      var node = document.createElementNS(SVGNS, name);
      for (var k in attrs) if (attrs.hasOwnProperty(k)) node.setAttribute(k, attrs[k]);
      if (parent) parent.appendChild(node);
      return node;
    }
    function plot(box, list, what, xmax, ymax) {
      var W = 320, H = 180, left = 38, right = 8, top = 8, bottom = 26, n;
      var X = function (x) { return left + (W - left - right) * x / xmax; };
      var Y = function (y) { return top + (H - top - bottom) * (1 - Math.max(0, Math.min(y, ymax)) / ymax); };
      while (box.firstChild) box.removeChild(box.firstChild);
      svg('rect', {x: left, y: top, width: W - left - right, height: H - top - bottom, fill: '#fff', stroke: '#c9d3de'}, box);
      for (n = 0; n <= 4; n++) {
        var yv = ymax * n / 4, y = Y(yv);
        svg('line', {x1: left, x2: W - right, y1: y, y2: y, stroke: '#e4e9ef'}, box);
        svg('text', {x: left - 4, y: y + 4, 'text-anchor': 'end', 'font-size': 10, fill: '#3e4c59'}, box).textContent =
          what === 'acc' ? Math.round(100 * yv) + '%' : yv.toFixed(1);
      }
      var raw = xmax / 4, magnitude = Math.pow(10, Math.floor(Math.log(raw) / Math.LN10)), step = magnitude;
      [2, 2.5, 5, 10].forEach(function (f) { if (step < raw) step = f * magnitude; });
      for (var xv = 0; xv <= xmax + 1e-9; xv += step) {
        svg('text', {x: X(xv), y: H - bottom + 13, 'text-anchor': 'middle', 'font-size': 10, fill: '#3e4c59'}, box).textContent =
          String(Math.round(xv * 100) / 100);
      }
      svg('text', {x: (left + W - right) / 2, y: H - 2, 'text-anchor': 'middle', 'font-size': 10, fill: '#3e4c59'}, box).textContent = L('tr_epochs');
      function line(points, color, dash, width) {
        if (!points.length) return;
        var text = points.map(function (p) { return X(p[0]).toFixed(1) + ',' + Y(p[1]).toFixed(1); }).join(' ');
        var attrs = {points: text, fill: 'none', stroke: color, 'stroke-width': width || 1.5};
        if (dash) attrs['stroke-dasharray'] = dash;
        svg('polyline', attrs, box);
      }
      function dots(points, color, hollow) {
        points.forEach(function (p) {
          if (p[0] > xmax + 1e-9) return;
          svg('circle', {cx: X(p[0]), cy: Y(p[1]), r: 2.5, fill: hollow ? '#fff' : color, stroke: color}, box);
        });
      }
      list.forEach(function (r) {
        if (r.stored) {
          var values = what === 'acc' ? r.stored.test : r.stored.loss, pts = [];
          for (var e = 0; e < values.length; e++) if (e + 1 <= xmax + 1e-9) pts.push([e + 1, values[e]]);
          line(pts, r.color, '2 3', 1);
          dots(pts, r.color, true);
        }
        if (what === 'loss') {
          line(r.points.map(function (p) { return [p.x, p.loss]; }), r.color);
        } else {
          line(r.points.map(function (p) { return [p.x, p.acc]; }), r.color, null, 1);
          var tests = r.tests.map(function (p) { return [p.x, p.acc]; });
          line(tests, r.color, '5 3', 2);
          dots(tests, r.color, false);
          var recal = r.recalTests.map(function (p) { return [p.x, p.acc]; });
          if (!recal.length && r.recalAcc !== null) recal = [[r.epoch, r.recalAcc]];
          line(recal, COLORS[2], '1 2', 2);
          recal.forEach(function (p) {
            svg('rect', {x: X(p[0]) - 3, y: Y(p[1]) - 3, width: 6, height: 6, fill: COLORS[2]}, box);
          });
        }
      });
    }
    function legend(list) {
      var html = [];
      list.forEach(function (r, i) {
        var mine = exp && i === 0;
        var label = r.label ? r.label[lang()] || r.label.en : L('tr_p_' + r.settings.preset);
        html.push('<span><i style="background:' + r.color + '"><\/i>' + escapeHtml(label) +
          (mine ? ' (' + escapeHtml(L('tr_yours')) + ')' : '') + ': ' + escapeHtml(L('tr_test_acc')) + ' ' + pct(r.testAcc) +
          '<\/span>');
        if (r.recalAcc !== null || r.recalTests.length) {
          html.push('<span><i style="background:' + COLORS[2] + '"><\/i>' + escapeHtml(L('tr_recal')) + ': ' +
            pct(r.recalAcc !== null ? r.recalAcc : r.recalTests[r.recalTests.length - 1].acc) + '<\/span>');
        }
        if (r.stored) {
          html.push('<span class="d2t-st"><i style="border-color:' + r.color + '"><\/i>' + escapeHtml(L('tr_stored')) + ': ' +
            r.stored.test.map(function (v) { return pct(v); }).slice(0, 1).concat(['…', pct(r.stored.test[r.stored.test.length - 1])]).join(' ') +
            '<\/span>');
        }
      });
      el.legend.innerHTML = html.join('');
      if (el.all) el.all.parentNode.hidden = !list.some(function (r) { return r.stored; });
    }
    function stats() {
      var r = current;
      if (!r || !r.points.length) { el.stats.textContent = ''; return; }
      var last = r.points[r.points.length - 1];
      el.stats.textContent = L('tr_stats', {epoch: r.epoch.toFixed(2), seen: r.seen, speed: r.speed ? Math.round(r.speed) : '–',
                                            loss: num(last.loss, 3), train: pct(last.acc), test: pct(r.testAcc)});
      el.bn.textContent = bnText ? bnText.map(function (b) { return L(b[0], b[1]); }).join(' ') : '';
    }
    function escapeHtml(text) {
      return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    }

    /* ------------------------------------------------------------- actions */
    function metrics() {
      var r = current || {points: [], tests: []}, last = r.points[r.points.length - 1] || {};
      return {settings: settings, seen: r.seen || 0, epoch: r.epoch || 0, loss: last.loss === undefined ? null : last.loss,
              trainAcc: last.acc === undefined ? null : last.acc, testAcc: r.testAcc === undefined ? null : r.testAcc,
              recalibratedAcc: r.recalAcc === undefined ? null : r.recalAcc, speed: r.speed || null,
              points: r.points.slice(), tests: r.tests.slice(),
              runs: runs.map(function (x) { return {key: x.key, testAcc: x.testAcc, recalibratedAcc: x.recalAcc, seen: x.seen}; })};
    }
    function ensureRun() {
      if (current) return Promise.resolve(current);
      var s = readControls();
      return setup(s, null, COLORS[0], d.stored || null);
    }
    /* The plain trainer: train until paused (Train again goes on). */
    function trainPlain(batches) {
      return ensureRun().then(function (run) {
        if (runs.indexOf(run) < 0) runs = [run];
        var perEpoch = Math.ceil(counts.train / settings.batchSize);
        run.planned = Math.max(1, Math.ceil(run.epoch + 1e-9) + (batches ? 0 : 0));
        return trainBatches(batches || perEpoch * 1000);
      });
    }
    /* An experiment: the reader's choice first, then every other choice, each from the same seed. */
    function trainExperiment(limitBatches) {
      var order = [root.d2tPrediction];
      exp.choices.forEach(function (c, i) { if (i !== root.d2tPrediction) order.push(i); });
      if (exp.recalibrate) order = [0];
      runs = [];
      current = null;
      bnText = null;
      var chain = load ? (counts ? Promise.resolve() : load()) : Promise.resolve();
      order.forEach(function (index, k) {
        chain = chain.then(function () {
          if (paused) return null;
          var c = exp.choices[index], s = {};
          for (var key in c.settings) if (c.settings.hasOwnProperty(key)) s[key] = c.settings[key];
          writeControls(s);
          var label = exp.recalibrate ? null : c.label;
          return setup(s, label, COLORS[k % COLORS.length], c.stored).then(function (run) {
            run.key = c.key;
            runs.push(run);
            var batches = limitBatches || exp.epochs * Math.ceil(counts.train / s.batchSize);
            run.planned = batches / Math.ceil(counts.train / s.batchSize);
            statusValues = {k: k + 1, n: order.length, name: (label || {})[lang()] || L('tr_p_' + s.preset)};
            setStatus('tr_run_of', statusValues);
            return trainBatches(batches);
          });
        });
      });
      return chain.then(function () {
        if (!paused) {
          var best = null;
          runs.forEach(function (r) { if (best === null || r.testAcc > best.testAcc) best = r; });
          if (exp.recalibrate && current.recalAcc !== null) {
            var recalBetter = current.recalAcc > current.testAcc;
            setStatus('tr_result', {name: exp.choices[recalBetter ? 1 : 0].label[lang()],
                                    acc: pct(recalBetter ? current.recalAcc : current.testAcc)});
          } else if (exp.recalibrate) setStatus('tr_done', {seen: current.seen});
          else if (best) setStatus('tr_result', {name: best.label[lang()], acc: pct(best.testAcc)});
        } else {
          setStatus('tr_paused', {seen: current ? current.seen : 0});
        }
        schedule();
        return metrics();
      });
    }
    function train(batches) {
      if (busy) return Promise.reject(new Error('already training'));
      if (exp) {
        if (root.d2tPrediction === null) return Promise.reject(new Error(L('tr_choose')));
        return trainExperiment(batches);
      }
      return trainPlain(batches);
    }
    function pause() {
      paused = true;
      return client ? client.pause() : Promise.resolve(true);
    }
    function reset() {
      if (busy) return pause().then(function () { return waitIdle(); }).then(reset);
      runs = []; current = null; bnText = null;
      el.kernels.hidden = true;
      el.inside.hidden = true;
      el.insideBox.innerHTML = '';
      schedule();
      if (exp) return Promise.resolve(metrics());
      return setup(readControls(), null, COLORS[0], null).then(function (run) { runs = [run]; setBusy(false); return metrics(); });
    }
    function waitIdle() {
      return new Promise(function (resolve) {
        (function check() { if (!busy) resolve(); else setTimeout(check, 20); })();
      });
    }

    /* ------------------------------------------------------- look inside */
    function lookInside() {
      var run = current;
      if (!run) return Promise.resolve(null);
      return Promise.all([client.weights(), client.images('test', 200)]).then(function (got) {
        var w = got[0], imgs = got[1], picks = [], perClass = {}, n;
        for (n = 0; n < imgs.labels.length && picks.length < 20; n++) {
          var c = imgs.labels[n];
          perClass[c] = (perClass[c] || 0) + 1;
          if (perClass[c] <= 2) picks.push(n);
        }
        var bytes = '';
        picks.forEach(function (i) { for (var p = 0; p < 784; p++) bytes += String.fromCharCode(imgs.images[i * 784 + p]); });
        var payload = {t: 'inside', layers: insideLayers(presetSpec(run.settings.preset), w.weights, w.buffers),
                       images: btoa(bytes), labels: picks.map(function (i) { return imgs.labels[i]; }), ids: picks,
                       names: d.names, L: global.d2lcnnTrainer.insideLabels};
        return openInside(payload);
      });
    }
    function openInside(payload) {
      var id = 'd2s-' + Math.random().toString(16).slice(2, 14);
      var both = function (key) { return '<span lang="en">' + escapeHtml(d.L.en[key]) + '<\/span><span lang="zh">' + escapeHtml(d.L.zh[key]) + '<\/span>'; };
      var css = global.d2lcnnTrainer.stepperCss && !document.getElementById('d2t-stepper-css')
        ? '<style id="d2t-stepper-css">' + global.d2lcnnTrainer.stepperCss + '<\/style>' : '';
      el.insideBox.innerHTML = css + '<div class="d2s d2s-inside d2s-inside-root" id="' + id + '" data-d2s="' + id + '" data-lang="' + lang() +
        '" tabindex="0" role="group" data-lm-suppress-shortcuts="true"><div class="d2s-head"><span class="d2s-title">' + both('tr_inside') +
        '<\/span><button type="button" data-a="lang">' + both('lang') + '<\/button><\/div><p class="d2s-sub">' + both('li_intro') +
        '<\/p><div class="d2s-inside"><\/div><p class="d2s-hint"><\/p><script type="application/json" class="d2s-data"><\/script><\/div>';
      el.insideBox.querySelector('script.d2s-data').textContent = JSON.stringify(payload);
      var insideRoot = el.insideBox.querySelector('.d2s');
      var stepperReady = global.d2lcnnStepper ? Promise.resolve()
        : global.d2lcnnTrainerBoot.loadScript(root.getAttribute('data-stepper'));
      return stepperReady.then(function () {
        global.d2lcnnStepper.boot(null, id);
        global.d2lcnnStepper.start(insideRoot);
        insideRoot.scrollIntoView({block: 'nearest'});
        return insideRoot;
      });
    }

    /* --------------------------------------------------------- wiring */
    el.pause.addEventListener('click', function () { pause(); });
    el.reset.addEventListener('click', function () { reset(); });
    el.inside.addEventListener('click', function () { lookInside(); });
    if (el.all) el.all.addEventListener('change', schedule);
    var selects = root.querySelectorAll('.d2t-ctl select');
    for (var n = 0; n < selects.length; n++) {
      selects[n].addEventListener('change', function () {
        if (!exp && !busy) { current = null; runs = []; schedule(); }
      });
    }

    var view = {
      train: function () { return train().then(null, function () {}); },
      relabel: function () { if (statusKey) el.status.textContent = L(statusKey, statusValues); schedule(); },
      predicted: function () { if (!busy) el.train.disabled = false; },
      handle: {
        set: function (s) {
          if (busy) return Promise.reject(new Error('pause before set()'));
          var merged = readControls();
          for (var key in s) if (s.hasOwnProperty(key)) merged[key] = s[key];
          writeControls(merged);
          runs = []; current = null;
          return setup(merged, null, COLORS[0], null).then(function (run) { runs = [run]; schedule(); return metrics(); });
        },
        run: function (n) {
          if (!(n > 0)) return Promise.reject(new Error('run(n): n must be a positive number of batches'));
          return train(n);
        },
        pause: function () { return pause().then(waitIdle).then(metrics); },
        reset: reset,
        metrics: function () { return Promise.resolve(metrics()); },
        weights: function () {
          return ensureRun().then(function () { return client.weights(); }).then(function (w) { return w.weights; });
        },
        evaluate: function (limit) {
          return ensureRun().then(function () { return client.evaluate(limit); }).then(function (t) { return t.acc; });
        },
        lookInside: lookInside
      }
    };
    root.d2tView = view;
    el.reset.disabled = false;
    return (counts ? Promise.resolve() : load()).then(function () { return view; });
  }

  global.d2lcnnTrainer = {start: start, insideLayers: insideLayers, presetSpec: presetSpec,
                          stepperCss: global.d2lcnnTrainer && global.d2lcnnTrainer.stepperCss};
})(window);
