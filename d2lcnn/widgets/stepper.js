/* d2lcnn window steppers: the one engine of every stepper (d2lcnn/widgets/stepper.js).

   This readable file is the source. render.py embeds stepper.min.js (written from it by
   tools/minify_stepper.py with terser; a test fails while the two disagree) in each stepper's
   HTML, with __ID__ replaced by the stepper's content-hashed id. Plain ES5, so every notebook
   front end runs it.

   Served once per page: every inline copy defines the library only if window.d2lcnnStepper is
   missing, then boots its own root. The book's website strips the inline copies and loads this
   library once per page instead (d2lcnn/widgets/site.py), where it boots every root.

   Booting is cheap (language, hint); a stepper *starts* (parses its numbers, wires its controls)
   when it scrolls near the viewport (IntersectionObserver), or at once where there is none, or
   the moment a reader or a script touches it first.

   Python (frames.py, render.py) checks the arguments and writes the first state, step 0, for
   viewers that run no script; from there on this engine computes everything: outputs, the
   arithmetic of every step, size formulas, error messages, titles and redrawn panels.
   tests/stepper_cases.json holds the cases both sides are tested against.

   The markup. Each stepper is one root element
     <div class="d2s d2s-KIND" id="ID" data-d2s="ID" data-lang="en|zh" [data-auto="1"] tabindex="0">
   data-auto: follow the page's <html lang> (set once, at boot). Inside it:
     grids    <div class="d2s-grid" data-g="NAME"> of <i> cells, row-major:
              x0, x1, ... padded input channels; k0, k1, ... kernel slices; y output;
              l0, l1, ... receptive-field layers (l0 the input)
     controls [data-a=reset|prev|play|next|slider|oc|lang] (oc: output-channel <select>)
              [data-c=pt|pb|pl|pr|sh|sw|kh|kw|dh|dw|mode] the <select>s that recompute
     text     .d2s-math (the arithmetic of the current step), .d2s-pos ("3 / 16"), .d2s-hint,
              .d2s-err (the message of an impossible configuration)
     numbers  <script type="application/json" class="d2s-data">, the payload:
       t      'conv' | 'pool' | 'rf'
       L      {en: {...}, zh: {...}} label templates with {placeholders} (widgets/strings.py)
       conv and pool:
         ci, h, w   input channels, height, width (before padding)
         p          padding [height, width] on both sides (the engine keeps [top, bottom, left, right])
         s, d       stride, dilation, each [height, width]
         kh, kw     window size; oh, ow output size; oc output channel shown first
         X          input values, channel-major; Y every output channel's values
         ms         milliseconds per step when playing
         conv: K (c_o x c_i x kh x kw, flat) and b (bias per output channel)
         pool: mode ('max' | 'avg'), cip (count_include_pad, 0/1), dv (divisor override or 0)
       rf: shapes ([h, w] per layer), ks (kernel size per layer), sel ([layer, row, col] first lit)

   The handle. Each conv or pool root element carries root.d2lcnn, for tests and curious readers
   (calling it starts a stepper that has not started yet):
     set(config)  change any of: x (nested [c][h][w] or [h][w]), k ([c_o][c_i][kh][kw], [c_i][kh][kw]
                  or [kh][kw]), bias (number or one per output channel), padding (n, [h, w] or
                  [top, bottom, left, right]), stride (n or [h, w]), dilation (n or [h, w]),
                  size (window or kernel size, n or [h, w]; a kernel keeps its overlapping values),
                  mode ('max' | 'avg', pooling); recomputes and redraws; returns error()
     output()     every output channel, nested [c][oh][ow] (null while the configuration is impossible)
     shape()      [channels, oh, ow] (null likewise)
     error()      '' or the message of the impossible configuration, in the shown language
                  (the same text Python's ValueError gives)
     lines(t)     the arithmetic of step t in the shown language, one string per line
     preset(name) 'x:edge' | 'x:arange' | 'x:rand' | 'x:fm0'..'x:fm3' (Fashion-MNIST) | 'k:edge' | 'k:ident' |
                  'k:box' | 'k:sobx' | 'k:soby' | 'k:sharp' | 'k:rand', as the preset buttons do
     config()     the current padding (4 sides), stride, dilation, size, mode
   The pure engine: window.d2lcnnStepper.run(state), .check(state, lang), .sizeLines(state, lang),
   .stepLines(state, outChannel, step, lang), .title(state, lang), .fmt(v), .rfText(...). A state
   is the payload with p as 4 sides (see toState). */
(function () {
  var thisScript = document.currentScript;
  if (!window.d2lcnnStepper) window.d2lcnnStepper = createLibrary();
  window.d2lcnnStepper.boot(thisScript, '__ID__');

  function createLibrary() {

    /* ------------------------------------------------------------------ text */

    /* Numbers as the page writes them (frames.fmt): 2 decimals from 1 up, else 3, trailing zeros
       dropped; toFixed rounds the exact binary value half away from zero, as Python's Decimal does. */
    function fmt(value) {
      if (value === -Infinity) return '-\u221e';
      if (value === Infinity) return '\u221e';
      if (value !== value) return 'NaN';
      var text = value.toFixed(Math.abs(value) >= 1 ? 2 : 3);
      if (text.indexOf('.') >= 0) text = text.replace(/0+$/, '').replace(/\.$/, '');
      return (text === '-0' || text === '') ? '0' : text;
    }

    /* A factor of a product: negative numbers in brackets, 2×(-1). */
    function factor(value) {
      var text = fmt(value);
      return text.charAt(0) === '-' ? '(' + text + ')' : text;
    }

    /* A label template with its {placeholders} filled, as str.format does in Python. */
    function fill(template, values) {
      return template.replace(/\{(\w+)\}/g, function (whole, key) {
        return values.hasOwnProperty(key) ? String(values[key]) : whole;
      });
    }

    function escapeHtml(text) {
      return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    }

    function tupleText(values) { return '(' + values.join(', ') + ')'; }

    /* A label of the state's table in language lang, filled. */
    function label(state, lang, key, values) { return fill(state.L[lang][key], values || {}); }

    /* Both languages at once; CSS shows the one in the root's data-lang. */
    function bothLabels(state, key, values) {
      return bothTexts(function (lang) { return label(state, lang, key, values); });
    }
    function bothTexts(textOf) {
      return '<span lang="en">' + escapeHtml(textOf('en')) + '<\/span><span lang="zh">' +
        escapeHtml(textOf('zh')) + '<\/span>';
    }

    /* ------------------------------------------------------------ geometry */

    /* How many input cells a window of k entries with dilation d spans. */
    function span(k, dilation) { return dilation * (k - 1) + 1; }
    function toPair(value) { return typeof value === 'number' ? [value, value] : [+value[0], +value[1]]; }
    /* Padding as [top, bottom, left, right] from n, [height, width] or the four sides. */
    function toSides(padding) {
      if (typeof padding === 'number') return [padding, padding, padding, padding];
      if (padding.length === 2) return [+padding[0], +padding[0], +padding[1], +padding[1]];
      return padding.slice(0, 4).map(Number);
    }
    function isEven(sides) { return sides[0] === sides[1] && sides[2] === sides[3]; }
    function pairText(pair) { return pair[0] === pair[1] ? String(pair[0]) : tupleText(pair); }
    function paddingText(sides) { return isEven(sides) ? pairText([sides[0], sides[2]]) : tupleText(sides); }

    function outputSize(state) {
      var sides = state.p;
      return [Math.floor((state.h + sides[0] + sides[1] - span(state.kh, state.d[0])) / state.s[0]) + 1,
              Math.floor((state.w + sides[2] + sides[3] - span(state.kw, state.d[1])) / state.s[1]) + 1];
    }

    function outputChannels(state) {
      return state.t === 'pool' ? state.ci : state.K.length / (state.ci * state.kh * state.kw);
    }

    /* The value under padded cell (row, col) of input channel c: padding is 0, or -inf for max pooling. */
    function paddedValue(state, c, row, col) {
      row -= state.p[0];
      col -= state.p[2];
      if (row < 0 || col < 0 || row >= state.h || col >= state.w) return state.mode === 'max' ? -Infinity : 0;
      return state.X[(c * state.h + row) * state.w + col];
    }

    /* The padded-input [row, col] under each window entry at step t, row-major. */
    function windowCells(state, t) {
      var outRow = Math.floor(t / state.ow), outCol = t % state.ow, cells = [];
      for (var a = 0; a < state.kh; a++) {
        for (var b = 0; b < state.kw; b++) {
          cells.push([outRow * state.s[0] + a * state.d[0], outCol * state.s[1] + b * state.d[1]]);
        }
      }
      return cells;
    }

    /* Which padded rows and columns some window ever touches (the others are drawn "never reached"). */
    function coverage(state) {
      var rows = [], cols = [], n, a;
      for (n = 0; n < state.h + state.p[0] + state.p[1]; n++) rows.push(false);
      for (n = 0; n < state.w + state.p[2] + state.p[3]; n++) cols.push(false);
      for (n = 0; n < state.oh; n++) for (a = 0; a < state.kh; a++) rows[n * state.s[0] + a * state.d[0]] = true;
      for (n = 0; n < state.ow; n++) for (a = 0; a < state.kw; a++) cols[n * state.s[1] + a * state.d[1]] = true;
      return {rows: rows, cols: cols};
    }

    /* -------------------------------------------------------------- engine */

    /* Every output channel, row-major, as torch.nn.functional computes it: conv2d (bias added first),
       max_pool2d (padding -inf) and avg_pool2d (padding 0, divided by the window size when cip, by
       the covered input cells otherwise, or by dv). Pooling works per channel. */
    function run(state) {
      var sides = state.p, size = outputSize(state), outH = size[0], outW = size[1];
      var pool = state.t === 'pool', isMax = pool && state.mode === 'max';
      var channels = outputChannels(state), values = new Array(channels * outH * outW);
      for (var o = 0; o < channels; o++) {
        for (var i = 0; i < outH; i++) {
          for (var j = 0; j < outW; j++) {
            values[(o * outH + i) * outW + j] = pool
              ? poolCell(state, o, i, j, isMax)
              : convCell(state, o, i, j);
          }
        }
      }
      return {Y: values, oh: outH, ow: outW, co: channels};

      function poolCell(state, c, i, j, isMax) {
        var acc = isMax ? -Infinity : 0, count = 0;
        for (var a = 0; a < state.kh; a++) {
          for (var b = 0; b < state.kw; b++) {
            var row = i * state.s[0] + a * state.d[0] - sides[0], col = j * state.s[1] + b * state.d[1] - sides[2];
            var inside = row >= 0 && col >= 0 && row < state.h && col < state.w;
            var value = inside ? state.X[(c * state.h + row) * state.w + col] : (isMax ? -Infinity : 0);
            if (isMax) {
              if (value > acc) acc = value;
            } else {
              acc += value;
              if (inside || state.cip) count++;
            }
          }
        }
        return isMax ? acc : acc / (state.dv || count);
      }

      function convCell(state, o, i, j) {
        var acc = state.b[o], ci = state.ci, kh = state.kh, kw = state.kw;
        for (var c = 0; c < ci; c++) {
          for (var a = 0; a < kh; a++) {
            var row = i * state.s[0] + a * state.d[0] - sides[0];
            if (row < 0 || row >= state.h) continue;
            for (var b = 0; b < kw; b++) {
              var col = j * state.s[1] + b * state.d[1] - sides[2];
              if (col >= 0 && col < state.w) acc += state.X[(c * state.h + row) * state.w + col] * state.K[((o * ci + c) * kh + a) * kw + b];
            }
          }
        }
        return acc;
      }
    }

    /* '' or the message of an impossible configuration in language lang (frames.window_error). */
    function check(state, lang) {
      var sides = state.p, pool = state.t === 'pool', sizes = [state.kh, state.kw], inputs = [state.h, state.w];
      var say = function (key, values) { return label(state, lang, key, values); };
      if (pool && state.mode === 'avg' && (state.d[0] > 1 || state.d[1] > 1)) return say('err_avgdil');
      for (var axis = 0; axis < 2 && pool; axis++) {
        if (Math.max(sides[2 * axis], sides[2 * axis + 1]) > Math.floor(span(sizes[axis], state.d[axis]) / 2)) {
          return say('err_half', {padding: tupleText(isEven(sides) ? [sides[0], sides[2]] : sides), window: tupleText(sizes)});
        }
      }
      for (axis = 0; axis < 2; axis++) {
        var reach = span(sizes[axis], state.d[axis]), before = sides[2 * axis], after = sides[2 * axis + 1];
        if (reach > inputs[axis] + before + after) {
          return say('err_fit', {
            what: say(pool ? 'what_pool' : 'what_kernel'), span: reach, axis: say(axis ? 'width' : 'height'),
            extra: state.d[axis] > 1 ? say('err_dil', {k: sizes[axis], d: state.d[axis]}) : '',
            padded: inputs[axis] + before + after, n: inputs[axis],
            pads: before === after ? '2\u00d7' + before : before + ' + ' + after});
        }
      }
      return '';
    }

    /* The output size per axis with the formula filled in (frames.size_lines), in language lang. */
    function sizeLines(state, lang) {
      var lines = [], sides = state.p;
      for (var axis = 0; axis < 2; axis++) {
        var n = axis ? state.w : state.h, k = axis ? state.kw : state.kh, dilation = state.d[axis], stride = state.s[axis];
        var reach = span(k, dilation), pad = sides[2 * axis] + sides[2 * axis + 1];
        var top = n - reach + pad + stride, out = Math.floor((n + pad - reach) / stride) + 1;
        var left = (n + pad - reach) % stride;
        var text = label(state, lang, axis ? 'width' : 'height') + ': ' +
          (dilation > 1 ? 'k = ' + dilation + '\u00d7(' + k + '\u2212' + '1)+1 = ' + reach + ', ' : '') +
          '\u230a(' + n + ' \u2212 ' + reach + ' + ' + pad + ' + ' + stride + ')/' + stride + '\u230b' +
          (stride > 1 ? ' = \u230a' + top + '/' + stride + '\u230b' : '') +
          (top % stride ? ' = \u230a' + fmt(top / stride) + '\u230b' : '') + ' = ' + out;
        if (left) {
          text += label(state, lang, 'size_floor', {padded: n + pad, span: reach, rest: n + pad - reach, s: stride,
            left: left, unit: label(state, lang, (axis ? 'col' : 'row') + (left > 1 ? 's' : ''))});
        }
        lines.push(text);
      }
      return lines;
    }

    /* The arithmetic of step t for output channel o (frames.step_lines), one string per line.
       Sums run left to right over the page's numbers, so Python and the page print the same digits. */
    function stepLines(state, o, t, lang) {
      var cells = windowCells(state, t), result = fmt(state.Y[o * state.oh * state.ow + t]), n;
      if (state.t === 'pool') {
        var c0 = Math.min(o, state.ci - 1), values = [];
        for (n = 0; n < cells.length; n++) values.push(paddedValue(state, c0, cells[n][0], cells[n][1]));
        if (state.mode === 'max') return ['max(' + values.map(fmt).join(', ') + ') = ' + result];
        return ['(' + values.map(factor).join(' + ') + ') / ' + poolDivisor(state, cells) + ' = ' + result];
      }
      var terms = [], sums = [], bias = state.b[o], lines = [];
      var tail = bias !== 0 ? ' + ' + label(state, lang, 'bias') + ' ' + factor(bias) : '';
      for (var c = 0; c < state.ci; c++) {
        var acc = 0, parts = [];
        for (n = 0; n < cells.length; n++) {
          var x = paddedValue(state, c, cells[n][0], cells[n][1]), k = state.K[(o * state.ci + c) * cells.length + n];
          acc += x * k;
          parts.push(factor(x) + '\u00d7' + factor(k));
        }
        terms.push(parts.join(' + '));
        sums.push(acc);
      }
      if (state.ci === 1) return [terms[0] + tail + ' = ' + result];
      for (c = 0; c < state.ci; c++) lines.push(label(state, lang, 'channel') + ' ' + c + ': ' + terms[c] + ' = ' + fmt(sums[c]));
      lines.push(sums.map(factor).join(' + ') + tail + ' = ' + result);
      return lines;
    }

    /* What an average divides by: the override, the whole window (cip), or the input cells it covers. */
    function poolDivisor(state, cells) {
      if (state.dv) return state.dv;
      var count = 0;
      for (var n = 0; n < cells.length; n++) {
        var row = cells[n][0] - state.p[0], col = cells[n][1] - state.p[2];
        if (state.cip || (row >= 0 && col >= 0 && row < state.h && col < state.w)) count++;
      }
      return count;
    }

    /* The window entry whose value wins a max pooling step (the first largest), or -1. */
    function winnerIndex(state, o, cells) {
      var best = -1, c0 = Math.min(o, state.ci - 1);
      if (state.mode !== 'max') return -1;
      for (var n = 0; n < cells.length; n++) {
        if (best < 0 || paddedValue(state, c0, cells[n][0], cells[n][1]) > paddedValue(state, c0, cells[best][0], cells[best][1])) best = n;
      }
      return best;
    }

    /* The title line (render._title). */
    function title(state, lang) {
      var say = function (key) { return label(state, lang, key); }, sep = say('sep'), head;
      if (state.t === 'conv') {
        var channels = outputChannels(state), kernel = state.kh + '\u00d7' + state.kw;
        if (channels > 1 || state.ci > 1) kernel = channels + '\u00d7' + state.ci + '\u00d7' + kernel;
        head = say('conv') + ': ' + say('input') + ' ' + (state.ci > 1 ? state.ci + '\u00d7' : '') + state.h + '\u00d7' + state.w +
          sep + say('kernel') + ' ' + kernel;
      } else {
        head = say('pool_' + state.mode) + ': ' + say('input') + ' ' + state.h + '\u00d7' + state.w +
          sep + say('window') + ' ' + state.kh + '\u00d7' + state.kw;
      }
      head += sep + say('pad') + ' ' + paddingText(state.p) + sep + say('stride') + ' ' + pairText(state.s);
      if (state.d[0] > 1 || state.d[1] > 1) head += sep + say('dilation') + ' ' + pairText(state.d);
      return head;
    }

    /* The receptive-field sentence (render.rf_text): which rows and columns of each earlier layer
       reach cell (i, j) of layer l. */
    function rfText(state, l, i, j, lang) {
      var lastRow = i, lastCol = j;
      var name = function (m) { return m === 0 ? label(state, lang, 'rf_in') : label(state, lang, 'layer_n', {m: m}); };
      var text = name(l) + ' (' + i + ', ' + j + ')';
      for (var m = l - 1; m >= 0; m--) {
        lastRow += state.ks[m][0] - 1;
        lastCol += state.ks[m][1] - 1;
        text += label(state, lang, 'rf_span', {name: name(m), r0: i, r1: lastRow, c0: j, c1: lastCol});
      }
      return text + label(state, lang, 'rf_size', {h: lastRow - i + 1, w: lastCol - j + 1});
    }

    /* A payload as the engine's state: padding as 4 sides, the output-channel count. */
    function toState(payload) {
      if (payload.p) payload.p = toSides(payload.p);
      if (payload.t === 'conv') payload.co = payload.b.length;
      return payload;
    }

    /* ------------------------------------------------------------ drawing */

    /* A grid of <i> cells, sized as render._cell_style does. In pixel mode (range given) each cell's
       grey level shows its value and its title the number. */
    function gridHtml(name, rows, cols, texts, classes, extraClass, sizeTexts, pixelRange, values) {
      var longest = 1, n, cells = [];
      var measured = sizeTexts || texts;
      for (n = 0; n < measured.length; n++) if (measured[n].length > longest) longest = measured[n].length;
      var font = cols <= 12 ? 13 : 11, height = font === 13 ? 26 : 22;
      var width = Math.max(height, Math.round(longest * font * 0.62 + 8));
      if (pixelRange) {
        font = 0;
        height = width = 9;
        extraClass += ' d2s-px';
      }
      for (n = 0; n < texts.length; n++) {
        var shaded = pixelRange && values && texts[n] && !/\bp\b/.test(classes[n]);
        cells.push('<i' + (classes[n] ? ' class="' + classes[n] + '"' : '') +
          (shaded ? ' title="' + escapeHtml(texts[n]) + '" style="background:' + grey(values[n], pixelRange) + '"' : '') +
          '>' + escapeHtml(texts[n]) + '<\/i>');
      }
      return '<div class="d2s-scroll"><div class="d2s-grid ' + extraClass + '" data-g="' + name + '" role="img" aria-label="' +
        rows + '\u00d7' + cols + '" style="--c:' + width + 'px;--h:' + height + 'px;--f:' + font +
        'px;grid-template-columns:repeat(' + cols + ',var(--c));width:' + (cols * (width + 2) - 2) + 'px;height:' +
        (rows * (height + 2) - 2) + 'px">' + cells.join('') + '<\/div><\/div>';
    }

    /* Grey level of value in range [low, high] (dark low, light high). */
    function grey(value, range) {
      var level = range[1] > range[0] ? Math.round((value - range[0]) / (range[1] - range[0]) * 255) : 128;
      if (!(level >= 0)) level = 0;
      return 'rgb(' + level + ',' + level + ',' + level + ')';
    }

    /* [lowest, highest] of the finite values. */
    function valueRange(values) {
      var low = Infinity, high = -Infinity;
      for (var n = 0; n < values.length; n++) {
        if (isFinite(values[n])) {
          if (values[n] < low) low = values[n];
          if (values[n] > high) high = values[n];
        }
      }
      return [low, high];
    }

    /* Every panel (inputs, kernel and bias, output at step 0) as render.render_steps writes them. */
    function panelsHtml(state, o, kernelTags) {
      var sides = state.p, paddedH = state.h + sides[0] + sides[1], paddedW = state.w + sides[2] + sides[3];
      var conv = state.t === 'conv', perSlice = state.kh * state.kw, reached = coverage(state), html = [], c, r, q, n;
      var channelNote = function (c) {
        return state.ci > 1 ? '<div class="d2s-sub">' + bothLabels(state, 'channel') + ' ' + c + '<\/div>' : '';
      };
      var kernelTexts = [];
      if (conv) for (n = 0; n < state.ci * perSlice; n++) kernelTexts.push(fmt(state.K[o * state.ci * perSlice + n]));
      var padNote = sides[0] || sides[1] || sides[2] || sides[3]
        ? ' <span class="d2s-sub">(+ ' + bothLabels(state, 'padded') + ' ' + paddingText(sides) + ')<\/span>' : '';

      html.push('<figure class="d2s-panel"><figcaption>' + bothLabels(state, 'input') + ' ' + state.h + '\u00d7' + state.w +
        padNote + '<\/figcaption>');
      for (c = 0; c < state.ci; c++) {
        var texts = [], classes = [], values = [];
        for (r = 0; r < paddedH; r++) {
          for (q = 0; q < paddedW; q++) {
            var cls = [], value = paddedValue(state, c, r, q);
            if (r < sides[0] || r >= sides[0] + state.h || q < sides[2] || q >= sides[2] + state.w) cls.push('p');
            if (!(reached.rows[r] && reached.cols[q])) cls.push('u');
            texts.push(fmt(value));
            classes.push(cls.join(' '));
            values.push(value);
          }
        }
        var pixels = paddedH * paddedW >= 400 && valueRange(state.X.slice(c * state.h * state.w, (c + 1) * state.h * state.w));
        html.push(channelNote(c) + gridHtml('x' + c, paddedH, paddedW, texts, classes, 'd2s-x', null, pixels, values));
      }
      html.push('<\/figure>');

      if (conv) {
        html.push('<figure class="d2s-panel"><figcaption>' + bothLabels(state, 'kernel') + ' ' + state.kh + '\u00d7' + state.kw +
          '<\/figcaption>');
        for (c = 0; c < state.ci; c++) {
          html.push(channelNote(c) + gridHtml('k' + c, state.kh, state.kw, kernelTexts.slice(c * perSlice, (c + 1) * perSlice), [], 'd2s-k'));
        }
        html.push('<div class="d2s-bias">' + bothLabels(state, 'bias') + ' = <span class="d2s-bv">' + fmt(state.b[o]) +
          '<\/span><\/div><\/figure>');
      }

      var count = state.oh * state.ow, outValues = state.Y.slice(o * count, (o + 1) * count);
      var allTexts = [], shownTexts = [], outClasses = [];
      for (n = 0; n < count; n++) {
        allTexts.push(fmt(outValues[n]));
        shownTexts.push(n ? '' : allTexts[n]);
        outClasses.push(n ? '' : 'f');
      }
      var outPixels = count >= 400 && valueRange(outValues);
      html.push('<figure class="d2s-panel"><figcaption>' + bothLabels(state, 'output') + ' ' + state.oh + '\u00d7' + state.ow +
        '<\/figcaption>' + gridHtml('y', state.oh, state.ow, shownTexts, outClasses, 'd2s-y', allTexts, outPixels, outValues) +
        '<\/figure>');
      return {html: html.join(''), outPixels: outPixels, reached: reached,
              kernelTags: conv && paddedW <= 16 && kernelTexts.every(function (s) { return s.length <= 3; })};
    }

    /* Kernel presets, 2-D. */
    var KERNEL_PRESETS = {
      edge: [[1, -1]],
      ident: [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
      box: [[0.111, 0.111, 0.111], [0.111, 0.111, 0.111], [0.111, 0.111, 0.111]],
      sobx: [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
      soby: [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
      sharp: [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]
    };

    /* Four Fashion-MNIST test images, 28x28 uint8 each (fashion_data.py, base64url), scaled to [0, 1]
       and rounded to 3 decimals. */
    var FASHION = '__FM__', fashionBytes = null;
    function fashionImage(index) {
      if (!fashionBytes) fashionBytes = atob(FASHION.replace(/-/g, '+').replace(/_/g, '/'));
      var image = [];
      for (var r = 0; r < 28; r++) {
        var row = [];
        for (var q = 0; q < 28; q++) row.push(Math.round(fashionBytes.charCodeAt(index * 784 + r * 28 + q) / 255 * 1000) / 1000);
        image.push(row);
      }
      return image;
    }

    /* ------------------------------------------------------------ booting */

    /* Boot the root that holds script (or the roots with data-d2s=id; every root when id is empty). */
    function boot(script, id) {
      var parent = script && script.parentNode, roots;
      if (id && parent && parent.getAttribute && parent.getAttribute('data-d2s')) roots = [parent];
      else roots = document.querySelectorAll(id ? '[data-d2s="' + id + '"]' : '[data-d2s]');
      for (var n = 0; n < roots.length; n++) prepare(roots[n]);
      markScrollers(roots);
      if (!resizeWatched) {
        resizeWatched = true;
        window.addEventListener('resize', function () { markScrollers(document.querySelectorAll('[data-d2s]')); });
      }
    }

    /* A grid wider or taller than its box scrolls there; such a box is a tab stop, so that a keyboard
       reaches all of it (arrow keys scroll it while it has the focus). Marked at boot, before a stepper
       starts, since a reader may tab to it first; every box is measured before any is changed (one layout). */
    var resizeWatched = false;
    function markScrollers(roots) {
      var boxes = [], scrolls = [], n;
      for (n = 0; n < roots.length; n++) {
        var found = roots[n].querySelectorAll('.d2s-scroll');
        for (var m = 0; m < found.length; m++) boxes.push(found[m]);
      }
      for (n = 0; n < boxes.length; n++) {
        scrolls.push(boxes[n].scrollWidth > boxes[n].clientWidth || boxes[n].scrollHeight > boxes[n].clientHeight);
      }
      for (n = 0; n < boxes.length; n++) {
        if (scrolls[n]) boxes[n].setAttribute('tabindex', '0');
        else boxes[n].removeAttribute('tabindex');
      }
    }

    /* The cheap part, at once: the language and the hint. The rest when it is about to be seen. */
    function prepare(root) {
      if (root.getAttribute('data-booted')) return;
      root.setAttribute('data-booted', '1');
      var hint = root.querySelector('.d2s-hint');
      if (hint) hint.style.display = 'none';
      if (root.getAttribute('data-auto')) {
        var pageLang = (document.documentElement.lang || '').toLowerCase();
        root.setAttribute('data-lang', pageLang.indexOf('zh') === 0 ? 'zh' : 'en');
      }
      var kind = (/\bd2s-(conv|pool|inside)\b/.exec(root.className) || [])[1];
      if (kind) {
        /* A handle that starts the view on first use, then is replaced by the real one. */
        var lazy = {};
        (kind === 'inside' ? ['forward', 'pick', 'select'] : ['set', 'output', 'shape', 'error', 'lines', 'preset', 'config'])
          .forEach(function (name) {
          lazy[name] = function () {
            var args = arguments, loading = start(root);
            /* A view whose numbers are still loading (see start) answers when they are there. */
            if (loading) return loading.then(function () { return root.d2lcnn[name].apply(null, args); });
            return root.d2lcnn[name].apply(null, args);
          };
        });
        root.d2lcnn = lazy;
      }
      /* A reader's first touch starts it synchronously, before the control's own handler runs. */
      var events = ['pointerdown', 'mousedown', 'touchstart', 'focusin', 'keydown', 'click', 'input', 'change'];
      var startNow = function () {
        events.forEach(function (type) { root.removeEventListener(type, startNow, true); });
        start(root);
      };
      events.forEach(function (type) { root.addEventListener(type, startNow, true); });
      if (typeof IntersectionObserver === 'function') {
        var observer = new IntersectionObserver(function (entries) {
          for (var n = 0; n < entries.length; n++) {
            if (entries[n].isIntersecting) {
              observer.disconnect();
              startNow();
            }
          }
        }, {rootMargin: '300px 0px'});
        observer.observe(root);
      } else {
        startNow();
      }
    }

    /* Parse the numbers, wire the controls: a stepper or a receptive-field view. Returns a promise
       while the numbers are being loaded, else null. */
    function start(root) {
      if (root.getAttribute('data-ready')) return root.d2lcnnLoading || null;
      root.setAttribute('data-ready', '1');
      var data = root.querySelector('script.d2s-data'), src = data.getAttribute('data-src');
      if (!src) {
        begin(root, data.textContent);
        return null;
      }
      /* On the book's website a large payload (the trained LeNet of "look inside") is a file of its
         own, loaded when the view is about to be seen, so that a first visit does not carry it
         (d2lcnn/widgets/site.py). The file is a script that registers the payload's text in
         window.d2lcnnPayloads under the view's id: a page opened from disk (file://) may run a
         script element but not fetch. Saved notebooks keep the payload inline and never come here. */
      root.d2lcnnLoading = loadScript(src).then(function () {
        var payloads = window.d2lcnnPayloads || {}, text = payloads[root.id];
        if (typeof text !== 'string') throw new Error(src + ' holds no numbers for ' + root.id);
        delete payloads[root.id];  /* parsed once; the text need not stay */
        return text;
      }).then(function (text) {
        root.d2lcnnLoading = null;
        begin(root, text);
      }, function (error) {
        var note = root.querySelector('[data-load-error]');
        if (note) {
          note.querySelector('.d2s-why').textContent = String(error.message || error);
          note.hidden = false;
        }
        throw error;
      });
      return root.d2lcnnLoading;
    }

    /* A promise that ``src`` has run, added as a script element (a failed load gives no reason). */
    function loadScript(src) {
      return new Promise(function (resolve, reject) {
        var script = document.createElement('script');
        script.onload = resolve;
        script.onerror = function () { reject(new Error('the file did not load: ' + src)); };
        script.setAttribute('src', src);  /* (spelt so: a saved stepper's text never says src=, tests/test_widgets.py) */
        document.head.appendChild(script);
      });
    }

    function begin(root, text) {
      var ui = {
        root: root,
        state: toState(JSON.parse(text)),
        grids: {},
        math: root.querySelector('.d2s-math')
      };
      ui.findGrids = function () {
        var found = root.querySelectorAll('.d2s-grid');
        ui.grids = {};
        for (var n = 0; n < found.length; n++) ui.grids[found[n].getAttribute('data-g')] = found[n].children;
        return ui.grids;
      };
      ui.findGrids();
      ui.lang = function () { return root.getAttribute('data-lang'); };
      ui.label = function (key, values) { return label(ui.state, ui.lang(), key, values); };
      ui.on = function (action, handler) {
        var element = root.querySelector('[data-a="' + action + '"]');
        if (element) element.addEventListener(action === 'slider' ? 'input' : action === 'oc' ? 'change' : 'click', handler);
        return element;
      };
      var view;
      ui.on('lang', function () {
        root.setAttribute('data-lang', ui.lang() === 'zh' ? 'en' : 'zh');
        relabel(ui);
        view.say();
      });
      relabel(ui);
      ui.updateTabStops = function () { markScrollers([root]); };
      ui.isScroller = function (event) { return event.target.classList && event.target.classList.contains('d2s-scroll'); };
      view = ui.state.t === 'rf' ? receptiveField(ui) : ui.state.t === 'inside' ? insideView(ui) : stepper(ui);
      ui.updateTabStops();
    }

    /* Accessible names in the shown language (the visible labels switch by CSS). */
    function relabel(ui) {
      var slider = ui.root.querySelector('[data-a="slider"]');
      if (slider) slider.setAttribute('aria-label', ui.label('position'));
      var controls = ui.root.querySelectorAll('[data-c]');
      for (var n = 0; n < controls.length; n++) {
        var control = controls[n], group = control.getAttribute('data-g'), part = control.getAttribute('data-p');
        control.setAttribute('aria-label', part ? ui.label('c_aria', {group: ui.label(group), part: ui.label(part)}) : ui.label(group));
        if (control.getAttribute('data-c') === 'mode') {
          for (var m = 0; m < control.options.length; m++) control.options[m].textContent = ui.label('m_' + control.options[m].value);
        }
      }
    }

    /* ------------------------------------------------------- the stepper */

    /* Convolution and pooling: one output cell per step. */
    function stepper(ui) {
      var root = ui.root, state = ui.state, math = ui.math;
      var outChannel = state.oc, timer = null, current = 0, steps, paddedWidth, error = '', kernelTags, outPixels = null;
      var slider = ui.on('slider', function () { go(+slider.value); });
      var position = root.querySelector('.d2s-pos');
      var playButton = ui.on('play', function () { play(!timer); });
      var errorBox = root.querySelector('.d2s-err');
      var controls = root.querySelectorAll('[data-c]');

      measure();
      say();
      ui.on('prev', function () { go(current - 1); });
      ui.on('next', function () { go(current + 1); });
      ui.on('reset', function () { play(false); go(0); });
      var channelSelect = ui.on('oc', function () { showChannel(+channelSelect.value); });
      root.addEventListener('click', onClick);
      root.addEventListener('keydown', onKey);
      for (var n = 0; n < controls.length; n++) controls[n].addEventListener('change', fromControls);

      function measure() {
        steps = state.oh * state.ow;
        paddedWidth = state.w + state.p[2] + state.p[3];
        kernelTags = / d2s-kl/.test(root.className);
      }

      function say() { math.textContent = error ? '' : stepLines(state, outChannel, current, ui.lang()).join('\n'); }

      /* Another output channel: its kernel, bias and outputs so far. */
      function showChannel(o) {
        outChannel = o;
        if (error) return;
        mark(current, false);
        for (var n = 0; n <= current; n++) ui.grids.y[n].textContent = fmt(state.Y[outChannel * steps + n]);
        for (var c = 0; c < state.ci; c++) {
          for (var q = 0; q < state.kh * state.kw; q++) {
            ui.grids['k' + c][q].textContent = fmt(state.K[(outChannel * state.ci + c) * state.kh * state.kw + q]);
          }
        }
        root.querySelector('.d2s-bv').textContent = fmt(state.b[outChannel]);
        mark(current, true);
        say();
      }

      function onClick(event) {
        var element = event.target, grid = element.parentNode;
        var name = grid && grid.getAttribute && grid.getAttribute('data-g');
        var presetButton = element.closest && element.closest('[data-pre]');
        if (presetButton) {
          preset(presetButton.getAttribute('data-pre'));
          return;
        }
        if (!name || element.tagName !== 'I') return;
        var index = Array.prototype.indexOf.call(ui.grids[name], element);
        if (index < 0) return;
        if (name === 'y') go(index);
        else if (/^[xk]/.test(name)) edit(element, name, index);
      }

      function onKey(event) {
        var tag = event.target.tagName, key = event.key;
        if (tag === 'INPUT' || tag === 'SELECT' || (tag === 'BUTTON' && (key === ' ' || key === 'Enter')) || ui.isScroller(event)) return;
        if (key === 'ArrowRight' || key === 'ArrowDown') go(current + 1);
        else if (key === 'ArrowLeft' || key === 'ArrowUp') go(current - 1);
        else if (key === ' ' || key === 'Spacebar') play(!timer);
        else if (key === 'Home') go(0);
        else if (key === 'End') go(steps - 1);
        else return;
        event.preventDefault();
        event.stopPropagation();
      }

      /* Fill (on) or clear output cell n; in pixel mode its grey level shows the value, the title the number. */
      function put(n, on) {
        var element = ui.grids.y[n], value = state.Y[outChannel * steps + n];
        element.textContent = on ? fmt(value) : '';
        element.classList[on ? 'add' : 'remove']('f');
        if (outPixels) {
          element.style.background = on ? grey(value, outPixels) : '';
          element.title = on ? fmt(value) : '';
        }
      }

      /* Outline (add) or clear the window of step t, its winner and its ×weight tags. */
      function mark(t, add) {
        var cells = windowCells(state, t), best = winnerIndex(state, outChannel, cells);
        var winnerChannel = state.t === 'pool' ? Math.min(outChannel, state.ci - 1) : 0;
        for (var c = 0; c < state.ci; c++) {
          for (var n = 0; n < cells.length; n++) {
            var element = ui.grids['x' + c][cells[n][0] * paddedWidth + cells[n][1]];
            if (add) {
              element.classList.add('w');
              if (n === best && c === winnerChannel) element.classList.add('win');
              if (kernelTags) element.setAttribute('data-k', fmt(state.K[(outChannel * state.ci + c) * cells.length + n]));
            } else {
              element.classList.remove('w');
              element.classList.remove('win');
              element.removeAttribute('data-k');
            }
          }
        }
        ui.grids.y[t].classList[add ? 'add' : 'remove']('cur');
      }

      /* Move to step t: fill (or clear) the output cells in between, move the window. */
      function go(t) {
        if (error) return;
        t = Math.max(0, Math.min(steps - 1, t));
        if (t === current) return;
        follow(t);
        mark(current, false);
        var n;
        if (t > current) for (n = current + 1; n <= t; n++) put(n, true);
        else for (n = t + 1; n <= current; n++) put(n, false);
        current = t;
        mark(t, true);
        slider.value = t;
        position.textContent = (t + 1) + ' / ' + steps;
        say();
      }

      /* Scroll big grids so the window and the output cell of step t stay in view. */
      function follow(t) {
        var cells = windowCells(state, t), first = cells[0], last = cells[cells.length - 1];
        for (var c = 0; c < state.ci; c++) {
          var grid = ui.grids['x' + c][0].parentNode;
          reveal(grid, last[0], last[1]);
          reveal(grid, first[0], first[1]);
        }
        reveal(ui.grids.y[0].parentNode, Math.floor(t / state.ow), t % state.ow);
      }
      function reveal(grid, row, col) {
        var box = grid.parentNode;
        if (box.scrollWidth <= box.clientWidth && box.scrollHeight <= box.clientHeight) return;
        var cellW = parseFloat(grid.style.getPropertyValue('--c')) + 2, cellH = parseFloat(grid.style.getPropertyValue('--h')) + 2;
        var x = col * cellW, y = row * cellH;
        if (x < box.scrollLeft) box.scrollLeft = x;
        else if (x + cellW + 4 > box.scrollLeft + box.clientWidth) box.scrollLeft = x + cellW + 4 - box.clientWidth;
        if (y < box.scrollTop) box.scrollTop = y;
        else if (y + cellH + 4 > box.scrollTop + box.clientHeight) box.scrollTop = y + cellH + 4 - box.clientHeight;
      }

      function play(on) {
        if (on === !!timer) return;
        if (on) {
          if (current >= steps - 1) go(0);
          timer = setInterval(function () { if (current >= steps - 1) play(false); else go(current + 1); }, state.ms);
        } else {
          clearInterval(timer);
          timer = null;
        }
        root.classList[on ? 'add' : 'remove']('d2s-playing');
        playButton.setAttribute('aria-pressed', on ? 'true' : 'false');
        math.setAttribute('aria-live', on ? 'off' : 'polite');
      }

      /* A new configuration: check it, recompute every output, redraw the panels at step 0. */
      function recompute() {
        play(false);
        error = check(state, 'en');
        root.classList[error ? 'add' : 'remove']('d2s-bad');
        if (errorBox) {
          errorBox.innerHTML = error ? bothTexts(function (lang) { return check(state, lang); }) : '';
          errorBox.hidden = !error;
        }
        root.querySelector('.d2s-title').innerHTML = bothTexts(function (lang) { return title(state, lang); });
        if (error) {
          math.textContent = '';
          return;
        }
        var result = run(state);
        state.Y = result.Y;
        state.oh = result.oh;
        state.ow = result.ow;
        if (outChannel >= result.co) outChannel = 0;
        if (channelSelect && channelSelect.options.length !== result.co) {
          var options = [];
          for (var c = 0; c < result.co; c++) options.push('<option value="' + c + '">' + c + '<\/option>');
          channelSelect.innerHTML = options.join('');
          channelSelect.value = String(outChannel);
        }
        draw();
        measure();
        current = 0;
        mark(0, true);
        slider.max = steps - 1;
        slider.value = 0;
        position.textContent = '1 / ' + steps;
        say();
        ui.updateTabStops();
      }

      /* The panels, legend and size lines for step 0. */
      function draw() {
        var panels = panelsHtml(state, outChannel);
        root.classList[panels.kernelTags ? 'add' : 'remove']('d2s-kl');
        root.querySelector('.d2s-panels').innerHTML = panels.html;
        outPixels = panels.outPixels;
        ui.findGrids();
        var sides = state.p, isMax = state.mode === 'max', padded = !!(sides[0] || sides[1] || sides[2] || sides[3]);
        var legend = function (swatch, on) {
          var entry = root.querySelector('.d2s-legend .sw-' + swatch);
          if (entry) entry.hidden = !on;
        };
        legend('pad', padded && !isMax);
        legend('padmax', padded && isMax);
        legend('win', isMax);
        legend('unused', panels.reached.rows.indexOf(false) >= 0 || panels.reached.cols.indexOf(false) >= 0);
        var english = sizeLines(state, 'en'), chinese = sizeLines(state, 'zh');
        root.querySelector('.d2s-size').innerHTML = '<b>' + bothLabels(state, 'size') + '<\/b>' + english.map(function (line, axis) {
          return '<div>' + bothTexts(function (lang) { return lang === 'en' ? line : chinese[axis]; }) + '<\/div>';
        }).join('');
      }

      /* Read the <select>s: padding, stride, dilation, window or kernel size, pooling mode. */
      function fromControls() {
        var value = function (key, fallback) {
          var control = root.querySelector('[data-c="' + key + '"]');
          return control ? +control.value : fallback;
        };
        var modeSelect = root.querySelector('[data-c="mode"]');
        set({padding: [value('pt', state.p[0]), value('pb', state.p[1]), value('pl', state.p[2]), value('pr', state.p[3])],
             stride: [value('sh', state.s[0]), value('sw', state.s[1])],
             dilation: [value('dh', state.d[0]), value('dw', state.d[1])],
             size: [value('kh', state.kh), value('kw', state.kw)],
             mode: modeSelect ? modeSelect.value : state.mode});
      }

      /* Controls follow the state (after a set() from outside). */
      function toControls() {
        var values = {pt: state.p[0], pb: state.p[1], pl: state.p[2], pr: state.p[3], sh: state.s[0], sw: state.s[1],
                      dh: state.d[0], dw: state.d[1], kh: state.kh, kw: state.kw, mode: state.mode};
        for (var n = 0; n < controls.length; n++) {
          var key = controls[n].getAttribute('data-c');
          if (values[key] !== undefined && controls[n].value !== String(values[key])) controls[n].value = String(values[key]);
        }
      }

      /* Nested arrays to a flat list and their shape. */
      function flatten(nested, out, shape, depth) {
        if (typeof nested === 'number') {
          out.push(nested);
          return;
        }
        if (shape.length <= depth) shape.push(nested.length);
        for (var n = 0; n < nested.length; n++) flatten(nested[n], out, shape, depth + 1);
      }

      /* The kernel resized to kh x kw: overlapping values kept, new ones 0. */
      function resizeKernel(kh, kw) {
        var channels = state.K.length / (state.ci * state.kh * state.kw), kernel = [];
        for (var o = 0; o < channels; o++) {
          for (var c = 0; c < state.ci; c++) {
            for (var a = 0; a < kh; a++) {
              for (var b = 0; b < kw; b++) {
                kernel.push(a < state.kh && b < state.kw ? state.K[((o * state.ci + c) * state.kh + a) * state.kw + b] : 0);
              }
            }
          }
        }
        state.K = kernel;
      }

      /* Click a cell of the input (not the padding) or the kernel: an <input> takes its place;
         Enter or leaving it commits, Escape cancels. */
      function edit(element, name, index) {
        if (error || element.querySelector('input')) return;
        var channel = +name.slice(1), isInput = name.charAt(0) === 'x', at;
        if (isInput) {
          var row = Math.floor(index / paddedWidth) - state.p[0], col = index % paddedWidth - state.p[2];
          if (row < 0 || col < 0 || row >= state.h || col >= state.w) return;
          at = (channel * state.h + row) * state.w + col;
        } else {
          at = (outChannel * state.ci + channel) * state.kh * state.kw + index;
        }
        var values = isInput ? state.X : state.K, old = values[at], field = document.createElement('input');
        var done = false, grid = element.parentNode;
        /* While a cell holds an editor the grid is a group of cells, not an image (whose inside is
           hidden from assistive technology). */
        grid.setAttribute('role', 'group');
        field.type = 'text';
        field.inputMode = 'decimal';
        field.className = 'd2s-ed';
        field.value = String(old);
        field.setAttribute('aria-label', ui.label('edit'));
        function finish(keep) {
          if (done) return;
          done = true;
          grid.setAttribute('role', 'img');
          var value = parseFloat(field.value);
          if (keep && isFinite(value) && value !== old) {
            values[at] = value;
            recompute();
          } else {
            element.textContent = fmt(old);
            root.focus();
          }
        }
        field.addEventListener('keydown', function (event) {
          event.stopPropagation();
          if (event.key === 'Enter') {
            event.preventDefault();
            finish(true);
          } else if (event.key === 'Escape') {
            event.preventDefault();
            finish(false);
          }
        });
        field.addEventListener('blur', function () { finish(true); });
        element.textContent = '';
        element.appendChild(field);
        field.focus();
        field.select();
      }

      /* A preset input ('x:edge', 'x:arange', 'x:rand', 'x:fm0'..'x:fm3') or kernel ('k:edge', 'k:sobx', ...). */
      function preset(name) {
        var kind = name.slice(2), c, r, q;
        if (name.charAt(0) === 'x') {
          var height = state.h, width = state.w, image = null;
          if (kind === 'edge') {
            height = 6;
            width = 8;
          } else if (kind.slice(0, 2) === 'fm') {
            image = fashionImage(+kind.slice(2));
            height = width = 28;
          }
          var input = [];
          for (c = 0; c < state.ci; c++) {
            var matrix = [];
            for (r = 0; r < height; r++) {
              var row = [];
              for (q = 0; q < width; q++) {
                row.push(image ? image[r][q]
                  : kind === 'edge' ? (q >= 2 && q < 6 ? 0 : 1)
                  : kind === 'arange' ? r * width + q
                  : Math.floor(Math.random() * 10));
              }
              matrix.push(row);
            }
            input.push(matrix);
          }
          return set({x: input});
        }
        var slice = KERNEL_PRESETS[kind];
        if (!slice) {
          slice = [];
          for (r = 0; r < state.kh; r++) {
            var randomRow = [];
            for (q = 0; q < state.kw; q++) randomRow.push(Math.floor(Math.random() * 5) - 2);
            slice.push(randomRow);
          }
        }
        var kernel = [];
        for (var o = 0; o < state.b.length; o++) {
          var perChannel = [];
          for (c = 0; c < state.ci; c++) perChannel.push(slice);
          kernel.push(perChannel);
        }
        return set({k: kernel});
      }

      function set(config) {
        config = config || {};
        var flat, shape;
        if (config.x !== undefined) {
          flat = [];
          shape = [];
          flatten(config.x, flat, shape, 0);
          if (shape.length === 2) shape.unshift(1);
          state.ci = shape[0];
          state.h = shape[1];
          state.w = shape[2];
          state.X = flat;
        }
        if (config.k !== undefined) {
          flat = [];
          shape = [];
          flatten(config.k, flat, shape, 0);
          while (shape.length < 4) shape.unshift(1);
          state.K = flat;
          state.kh = shape[2];
          state.kw = shape[3];
          state.co = shape[0];
          if (state.b.length !== shape[0]) state.b = flat.slice(0, shape[0]).map(function () { return 0; });
        }
        if (config.bias !== undefined) {
          state.b = typeof config.bias === 'number' ? state.b.map(function () { return config.bias; }) : config.bias.slice();
        }
        if (config.padding !== undefined) state.p = toSides(config.padding);
        if (config.stride !== undefined) state.s = toPair(config.stride);
        if (config.dilation !== undefined) state.d = toPair(config.dilation);
        if (config.mode !== undefined && state.t === 'pool') state.mode = config.mode;
        if (config.size !== undefined) {
          var size = toPair(config.size);
          if (state.t === 'conv' && (size[0] !== state.kh || size[1] !== state.kw)) resizeKernel(size[0], size[1]);
          state.kh = size[0];
          state.kw = size[1];
        }
        toControls();
        recompute();
        return handle.error();
      }

      var handle = root.d2lcnn = {
        set: set,
        error: function () { return error ? check(state, ui.lang()) : ''; },
        shape: function () { return error ? null : [outputChannels(state), state.oh, state.ow]; },
        output: function () {
          if (error) return null;
          var channels = [], count = state.oh * state.ow;
          for (var c = 0; c < state.Y.length / count; c++) {
            var matrix = [];
            for (var i = 0; i < state.oh; i++) matrix.push(state.Y.slice(c * count + i * state.ow, c * count + (i + 1) * state.ow));
            channels.push(matrix);
          }
          return channels;
        },
        lines: function (t) { return error ? null : stepLines(state, outChannel, t, ui.lang()); },
        preset: preset,
        config: function () {
          return {padding: state.p.slice(), stride: state.s.slice(), dilation: state.d.slice(), size: [state.kh, state.kw], mode: state.mode};
        }
      };
      return {say: say};
    }

    /* ------------------------------------------------ the receptive field */

    /* Click (or arrow to) a cell of a later layer; light every cell reaching it. */
    function receptiveField(ui) {
      var root = ui.root, state = ui.state, lit = [], shapes = state.shapes, selected = state.sel;
      root.addEventListener('click', function (event) {
        var grid = event.target.parentNode, name = grid && grid.getAttribute && grid.getAttribute('data-g');
        if (!name || name === 'l0') return;
        var layer = +name.slice(1), index = Array.prototype.indexOf.call(ui.grids[name], event.target);
        if (index >= 0) pick(layer, Math.floor(index / shapes[layer][1]), index % shapes[layer][1]);
      });
      root.addEventListener('keydown', function (event) {
        var key = event.key, layer = selected[0], i = selected[1], j = selected[2];
        if ((event.target.tagName === 'BUTTON' && (key === ' ' || key === 'Enter')) || ui.isScroller(event)) return;
        if (key === 'ArrowRight') j++;
        else if (key === 'ArrowLeft') j--;
        else if (key === 'ArrowDown') i++;
        else if (key === 'ArrowUp') i--;
        else return;
        event.preventDefault();
        event.stopPropagation();
        pick(layer, Math.max(0, Math.min(shapes[layer][0] - 1, i)), Math.max(0, Math.min(shapes[layer][1] - 1, j)));
      });
      function pick(layer, i, j) {
        for (var n = 0; n < lit.length; n++) {
          lit[n].classList.remove('r');
          lit[n].classList.remove('cur');
        }
        lit = [];
        var element = ui.grids['l' + layer][i * shapes[layer][1] + j];
        element.classList.add('cur');
        lit.push(element);
        selected = [layer, i, j];
        var lastRow = i, lastCol = j;
        for (var m = layer - 1; m >= 0; m--) {
          lastRow += state.ks[m][0] - 1;
          lastCol += state.ks[m][1] - 1;
          for (var r = i; r <= lastRow; r++) {
            for (var c = j; c <= lastCol; c++) {
              element = ui.grids['l' + m][r * shapes[m][1] + c];
              element.classList.add('r');
              lit.push(element);
            }
          }
        }
        say();
      }
      function say() { ui.math.textContent = rfText(state, selected[0], selected[1], selected[2], ui.lang()); }
      pick(selected[0], selected[1], selected[2]);
      return {say: say};
    }


    /* ------------------------------------------ inside a trained network */

    /* float16 little-endian bytes (base64) to numbers: how look_inside ships weights. */
    function decodeHalf(base64) {
      var bytes = atob(base64), out = new Array(bytes.length / 2);
      for (var n = 0; n < out.length; n++) {
        var bits = bytes.charCodeAt(2 * n) | (bytes.charCodeAt(2 * n + 1) << 8);
        var sign = bits & 0x8000 ? -1 : 1, exponent = (bits >> 10) & 0x1f, fraction = bits & 0x3ff;
        out[n] = exponent === 0 ? sign * fraction * Math.pow(2, -24)
          : exponent === 31 ? (fraction ? NaN : sign * Infinity)
          : sign * (1 + fraction / 1024) * Math.pow(2, exponent - 15);
      }
      return out;
    }

    /* Every layer's output for one input {c, h, w, values}: convolution and pooling through run(),
       the same engine the steppers use; then activations, flatten, dense layers, and the softmax. */
    function forward(layers, input) {
      var outputs = [], current = input;
      for (var n = 0; n < layers.length; n++) {
        current = applyLayer(layers[n], current);
        outputs.push(current);
      }
      var logits = current.values, top = Math.max.apply(null, logits), total = 0, probs = [];
      for (n = 0; n < logits.length; n++) total += Math.exp(logits[n] - top);
      for (n = 0; n < logits.length; n++) probs.push(Math.exp(logits[n] - top) / total);
      outputs.push({c: probs.length, h: 1, w: 1, values: probs});
      return outputs;
    }

    function applyLayer(layer, x) {
      var values, n;
      if (layer.type === 'conv' || layer.type === 'avgpool' || layer.type === 'maxpool') {
        var conv = layer.type === 'conv';
        var state = {t: conv ? 'conv' : 'pool', mode: layer.type === 'maxpool' ? 'max' : 'avg', ci: x.c, h: x.h, w: x.w,
                     p: toSides(layer.p), s: layer.s, d: layer.d || [1, 1], kh: layer.k[0], kw: layer.k[1], X: x.values,
                     K: layer.weight, b: layer.bias, cip: 1, dv: 0};
        var result = run(state);
        return {c: result.co, h: result.oh, w: result.ow, values: result.Y};
      }
      if (layer.type === 'linear') {
        values = [];
        for (var o = 0; o < layer.out; o++) {
          var acc = layer.bias[o];
          for (n = 0; n < layer['in']; n++) acc += layer.weight[o * layer['in'] + n] * x.values[n];
          values.push(acc);
        }
        return {c: values.length, h: 1, w: 1, values: values};
      }
      if (layer.type === 'flatten') return {c: x.c * x.h * x.w, h: 1, w: 1, values: x.values};
      values = x.values.map(ACTIVATIONS[layer.type]);
      return {c: x.c, h: x.h, w: x.w, values: values};
    }

    var ACTIVATIONS = {
      sigmoid: function (v) { return 1 / (1 + Math.exp(-v)); },
      relu: function (v) { return v > 0 ? v : 0; },
      tanh: function (v) { var e = Math.exp(2 * v); return e === Infinity ? 1 : (e - 1) / (e + 1); }
    };

    /* The colour of value v on a scale symmetric around 0 up to limit: blue below, orange above, white at 0. */
    function heat(v, limit) {
      var t = limit > 0 ? Math.max(-1, Math.min(1, v / limit)) : 0;
      var to = t < 0 ? [33, 102, 172] : [214, 96, 0], a = Math.abs(t);
      return [Math.round(255 + (to[0] - 255) * a), Math.round(255 + (to[1] - 255) * a), Math.round(255 + (to[2] - 255) * a)];
    }

    /* Paint an h x w block of values on canvas with the layer's shared scale. */
    function paint(canvas, values, offset, h, w, limit) {
      if (canvas.width !== w) canvas.width = w;  /* a resize clears and reallocates: only when it changes */
      if (canvas.height !== h) canvas.height = h;
      var context = canvas.getContext('2d'), image = context.createImageData(w, h);
      for (var n = 0; n < h * w; n++) {
        var rgb = heat(values[offset + n], limit);
        image.data[4 * n] = rgb[0];
        image.data[4 * n + 1] = rgb[1];
        image.data[4 * n + 2] = rgb[2];
        image.data[4 * n + 3] = 255;
      }
      context.putImageData(image, 0, 0);
    }

    /* A 28x28 image as the data set stores it: white strokes on black. */
    function paintGrey(canvas, pixels) {
      canvas.width = canvas.height = 28;
      var context = canvas.getContext('2d'), image = context.createImageData(28, 28);
      for (var n = 0; n < 784; n++) {
        var g = Math.round(pixels[n] * 255);  
        image.data[4 * n] = image.data[4 * n + 1] = image.data[4 * n + 2] = g;
        image.data[4 * n + 3] = 255;
      }
      context.putImageData(image, 0, 0);
    }

    function largestMagnitude(values) {
      var m = 0;
      for (var n = 0; n < values.length; n++) if (Math.abs(values[n]) > m) m = Math.abs(values[n]);
      return m;
    }

    /* Look inside: pick or draw an image; every layer's maps, the class probabilities, and the
       arithmetic of any cell. Payload: layers (weights as float16 base64), images (uint8 base64,
       N x 784), labels, names {en, zh} (class names), L (labels). */
    function insideView(ui) {
      var root = ui.root, state = ui.state, say = function (key, values) { return ui.label(key, values); };
      var layers = state.layers.map(function (layer) {
        var copy = {};
        for (var key in layer) if (layer.hasOwnProperty(key)) copy[key] = layer[key];
        if (layer.w16) copy.weight = decodeHalf(layer.w16);
        if (layer.b16) copy.bias = decodeHalf(layer.b16);
        return copy;
      });
      var bytes = atob(state.images), images = [];
      for (var i = 0; i < state.labels.length; i++) {
        var pixels = [];
        for (var n = 0; n < 784; n++) pixels.push(bytes.charCodeAt(i * 784 + n) / 255);
        images.push(pixels);
      }
      var picked = 0, drawing = null, strokes = [], outputs = null, selected = {layer: 0, channel: 0, row: 0, col: 0};
      var body = root.querySelector('.d2s-inside');

      body.innerHTML = layout();
      var thumbs = body.querySelectorAll('[data-img]');
      for (n = 0; n < thumbs.length; n++) {
        paintGrey(thumbs[n].querySelector('canvas'), images[n]);
        thumbs[n].addEventListener('click', choose);
      }
      var pad = body.querySelector('.d2s-pad'), padContext = null;
      setupDrawing();
      body.querySelector('[data-a=clear]').addEventListener('click', function () { strokes = []; redrawPad(); });
      body.querySelector('[data-a=undo]').addEventListener('click', function () { strokes.pop(); redrawPad(); });
      var overview = body.querySelector('.d2s-maps'), detail = body.querySelector('.d2s-detail');
      overview.addEventListener('click', function (event) {
        var button = event.target.closest && event.target.closest('[data-map]');
        if (!button) return;
        var at = button.getAttribute('data-map').split(':');
        selected = {layer: +at[0], channel: +at[1], row: 0, col: 0};
        showDetail();
      });
      detail.addEventListener('keydown', moveCell);
      detail.addEventListener('click', pickCell);
      drawKernels();
      update();

      function layout() {
        var html = ['<div class="d2s-li-pick"><b>' + bothLabels(state, 'li_pick') + '<\/b><div class="d2s-thumbs">'];
        for (var i = 0; i < images.length; i++) {
          var label = state.labels[i];
          html.push('<button type="button" data-img="' + i + '" aria-pressed="' + (i === 0) + '" aria-label="' +
            escapeHtml(state.names.en[label] + ' / ' + state.names.zh[label] + ' #' + state.ids[i]) +
            '"><canvas width="28" height="28"><\/canvas><\/button>');
        }
        html.push('<\/div><div class="d2s-draw"><b>' + bothLabels(state, 'li_draw') + '<\/b>' +
          '<canvas class="d2s-pad" width="28" height="28" role="img" aria-label="' + escapeHtml(state.L.en.li_draw) + '"><\/canvas>' +
          '<button type="button" data-a="undo">' + bothLabels(state, 'li_undo') + '<\/button>' +
          '<button type="button" data-a="clear">' + bothLabels(state, 'li_clear') + '<\/button><\/div><\/div>');
        html.push('<div class="d2s-li-main"><div class="d2s-probs" aria-live="polite"><\/div>' +
          '<div class="d2s-scale">' + bothLabels(state, 'li_scale') + '<\/div><div class="d2s-maps"><\/div>' +
          '<div class="d2s-detail" tabindex="0" role="group"><\/div>' +
          '<div class="d2s-kernels"><b>' + bothLabels(state, 'li_kernels') + '<\/b><div class="d2s-krow"><\/div><\/div><\/div>');
        return html.join('');
      }

      function choose(event) {
        picked = +event.currentTarget.getAttribute('data-img');
        drawing = null;
        for (var n = 0; n < thumbs.length; n++) thumbs[n].setAttribute('aria-pressed', String(n === picked));
        update();
      }

      function currentPixels() { return drawing || images[picked]; }

      function update() {
        outputs = forward(layers, {c: 1, h: 28, w: 28, values: currentPixels()});
        drawProbabilities();
        drawOverview();
        showDetail();
      }

      /* The bars and the maps are built once and then only repainted: a pen stroke asks for a new
         picture every frame (benchmarks/inside_bench.py times it). */
      var bars = null;
      function drawProbabilities() {
        var probs = outputs[outputs.length - 1].values, best = 0, n;
        for (n = 0; n < probs.length; n++) if (probs[n] > probs[best]) best = n;
        var box = body.querySelector('.d2s-probs');
        if (!bars) {
          var html = ['<b>' + bothLabels(state, 'li_probs') + '<\/b><span class="d2s-truth"><\/span>'];
          for (n = 0; n < probs.length; n++) {
            html.push('<div class="d2s-bar-row"><span class="d2s-cls">' +
              bothTexts(function (lang) { return state.names[lang][n]; }) + '<\/span><span class="d2s-bar-bg">' +
              '<span class="d2s-bar-fg"><\/span><\/span><span class="d2s-pct"><\/span><\/div>');
          }
          box.innerHTML = html.join('');
          bars = {rows: box.querySelectorAll('.d2s-bar-row'), fill: box.querySelectorAll('.d2s-bar-fg'),
                  pct: box.querySelectorAll('.d2s-pct'), truth: box.querySelector('.d2s-truth')};
        }
        for (n = 0; n < probs.length; n++) {
          var shown = (probs[n] * 100).toFixed(1);
          bars.rows[n].classList[n === best ? 'add' : 'remove']('d2s-best');
          bars.fill[n].style.width = shown + '%';
          bars.pct[n].textContent = shown + '%';
        }
        bars.truth.innerHTML = drawing ? '' : ' ' + bothTexts(function (lang) {
          return label(state, lang, 'li_truth', {name: state.names[lang][state.labels[picked]]});
        });
      }

      function layerName(n) {
        var layer = layers[n];
        return bothTexts(function (lang) { return label(state, lang, 'li_' + layer.type); });
      }

      var mapCanvases = null, layerNotes = null;
      function drawOverview() {
        var n, out, c;
        if (!mapCanvases) {
          var html = [];
          for (n = 0; n < layers.length; n++) {
            out = outputs[n];
            html.push('<div class="d2s-layer-row"><div class="d2s-layer-name">' + layerName(n) +
              ' <span class="d2s-sub"><\/span><\/div><div class="d2s-layer-maps">');
            for (c = 0; c < (out.h > 1 ? out.c : 1); c++) {
              html.push('<button type="button" class="d2s-map' + (out.h > 1 ? '' : ' d2s-strip') +
                (selected.layer === n && selected.channel === c ? ' d2s-on' : '') +
                '" data-map="' + n + ':' + c + '" aria-label="' + escapeHtml(say('li_map', {layer: n + 1, channel: c})) +
                '"><canvas><\/canvas><\/button>');
            }
            html.push('<\/div><\/div>');
          }
          overview.innerHTML = html.join('');
          mapCanvases = overview.querySelectorAll('canvas');
          layerNotes = overview.querySelectorAll('.d2s-layer-name .d2s-sub');
        }
        var k = 0;
        for (n = 0; n < layers.length; n++) {
          out = outputs[n];
          var limit = largestMagnitude(out.values);
          layerNotes[n].textContent = (out.h > 1 ? out.c + '\u00d7' + out.h + '\u00d7' + out.w : out.c) + ', |max| ' + fmt(limit);
          if (out.h > 1) {
            for (c = 0; c < out.c; c++) paint(mapCanvases[k++], out.values, c * out.h * out.w, out.h, out.w, limit);
          } else {
            paint(mapCanvases[k++], out.values, 0, 1, out.c, limit);
          }
        }
      }

      /* The arithmetic of the selected cell: its window on the layer before, the kernel, the products,
         the sum, the bias, and the activation after it. */
      function showDetail() {
        var n = selected.layer, layer = layers[n], out = outputs[n], x = n ? outputs[n - 1] : {c: 1, h: 28, w: 28, values: currentPixels()};
        var spatial = out.h > 1, cell = spatial ? selected.row * out.w + selected.col : selected.col;
        var index = spatial ? selected.channel * out.h * out.w + cell : selected.col;
        var value = out.values[index], lines = [];
        var position = spatial ? say('li_cell', {channel: selected.channel, row: selected.row, col: selected.col}) : say('li_unit', {unit: selected.col});
        if (layer.type === 'conv' || layer.type === 'avgpool' || layer.type === 'maxpool') {
          var conv = layer.type === 'conv', total = conv ? layer.bias[selected.channel] : 0, parts = [];
          var kh = layer.k[0], kw = layer.k[1], sides = toSides(layer.p), d = layer.d || [1, 1];
          var channels = conv ? x.c : 1, sums = [], windowGrid = [], kernelGrid = [], productGrid = [];
          for (var c = 0; c < channels; c++) {
            var ic = conv ? c : selected.channel, sum = 0, win = [], ker = [], prod = [];
            for (var a = 0; a < kh; a++) {
              for (var b = 0; b < kw; b++) {
                var r = selected.row * layer.s[0] + a * d[0] - sides[0], q = selected.col * layer.s[1] + b * d[1] - sides[2];
                var v = r >= 0 && q >= 0 && r < x.h && q < x.w ? x.values[(ic * x.h + r) * x.w + q] : (layer.type === 'maxpool' ? -Infinity : 0);
                var k = conv ? layer.weight[((selected.channel * x.c + c) * kh + a) * kw + b] : 1;
                win.push(v);
                ker.push(k);
                prod.push(v * k);
                sum += v * k;
              }
            }
            sums.push(sum);
            if (c === 0) {
              windowGrid = win;
              kernelGrid = ker;
              productGrid = prod;
            }
            if (layer.type === 'maxpool') parts.push('max(' + win.map(fmt).join(', ') + ') = ' + fmt(value));
            else if (!conv) parts.push('(' + win.map(factor).join(' + ') + ') / ' + (kh * kw) + ' = ' + fmt(value));
          }
          if (conv) {
            for (c = 0; c < channels; c++) total += sums[c];
            detailHtml(position, [grid3('li_win', windowGrid, kh, kw), grid3('li_ker', kernelGrid, kh, kw), grid3('li_prod', productGrid, kh, kw)],
              sums.map(function (s, c) { return say('channel') + ' ' + c + ': \u03a3 = ' + fmt(s); })
                .concat([sums.map(factor).join(' + ') + ' + ' + say('bias') + ' ' + factor(layer.bias[selected.channel]) + ' = ' + fmt(value)])
                .concat(activationLine(n, index)));
          } else {
            detailHtml(position, [grid3('li_win', windowGrid, kh, kw)], parts.concat(activationLine(n, index)));
          }
          return;
        }
        if (layer.type === 'linear') {
          detailHtml(position, [], [say('li_dense', {n: layer['in']}) + ' = ' + fmt(value)].concat(activationLine(n, index)));
          return;
        }
        if (layer.type === 'flatten') {
          detailHtml(position, [], [say('li_flat', {n: out.c})]);
          return;
        }
        detailHtml(position, [], [layer.type + '(' + fmt(x.values[index]) + ') = ' + fmt(value)]);
      }

      function activationLine(n, index) {
        var next = layers[n + 1];
        if (!next || !ACTIVATIONS[next.type]) return [];
        return [next.type + '(' + fmt(outputs[n].values[index]) + ') = ' + fmt(outputs[n + 1].values[index])];
      }

      function grid3(key, values, h, w) {
        var shown = layers[selected.layer].type === 'conv' ? 0 : selected.channel;
        return '<figure class="d2s-panel"><figcaption>' + bothLabels(state, key, {channel: shown}) + '<\/figcaption>' +
          gridHtml('d' + key, h, w, values.map(fmt), [], 'd2s-k') + '<\/figure>';
      }

      function detailHtml(position, grids, lines) {
        var out = outputs[selected.layer], map = out.h > 1;
        detail.innerHTML = '<b>' + layerName(selected.layer) + '<\/b> \u00b7 ' + escapeHtml(position) +
          '<div class="d2s-panels">' + (map ? '<figure class="d2s-panel"><figcaption>' + bothLabels(state, 'li_pickcell') +
          '<\/figcaption><canvas class="d2s-big"><\/canvas><\/figure>' : '') + grids.join('') + '<\/div>' +
          '<div class="d2s-math">' + escapeHtml(lines.join('\n')) + '<\/div>';
        detail.setAttribute('aria-label', say('li_detail'));
        if (map) {
          var canvas = detail.querySelector('.d2s-big');
          paint(canvas, out.values, selected.channel * out.h * out.w, out.h, out.w, largestMagnitude(out.values));
          var context = canvas.getContext('2d');
          context.strokeStyle = '#000';
          context.lineWidth = 0.3;
          context.strokeRect(selected.col + 0.15, selected.row + 0.15, 0.7, 0.7);
        }
        var maps = overview.querySelectorAll('[data-map]');
        for (var n = 0; n < maps.length; n++) {
          maps[n].classList[maps[n].getAttribute('data-map') === selected.layer + ':' + selected.channel ? 'add' : 'remove']('d2s-on');
        }
      }

      function moveCell(event) {
        var out = outputs[selected.layer], rows = out.h > 1 ? out.h : 1, cols = out.h > 1 ? out.w : out.c, key = event.key;
        if (key === 'ArrowRight') selected.col = Math.min(cols - 1, selected.col + 1);
        else if (key === 'ArrowLeft') selected.col = Math.max(0, selected.col - 1);
        else if (key === 'ArrowDown') selected.row = Math.min(rows - 1, selected.row + 1);
        else if (key === 'ArrowUp') selected.row = Math.max(0, selected.row - 1);
        else return;
        event.preventDefault();
        event.stopPropagation();
        showDetail();
        detail.focus();
      }

      function pickCell(event) {
        if (!event.target.classList.contains('d2s-big')) return;
        var box = event.target.getBoundingClientRect(), out = outputs[selected.layer];
        selected.col = Math.max(0, Math.min(out.w - 1, Math.floor((event.clientX - box.left) / box.width * out.w)));
        selected.row = Math.max(0, Math.min(out.h - 1, Math.floor((event.clientY - box.top) / box.height * out.h)));
        showDetail();
      }

      function drawKernels() {
        var first = null;
        for (var n = 0; n < layers.length; n++) if (layers[n].type === 'conv') { first = layers[n]; break; }
        var row = body.querySelector('.d2s-krow');
        if (!first) return;
        var per = first.k[0] * first.k[1], html = [], excite = [];
        /* Which sample excites each first-layer map most (largest mean output of that map). */
        var means = images.map(function (pixels) {
          var out = applyLayer(first, {c: 1, h: 28, w: 28, values: pixels}), m = [];
          for (var c = 0; c < out.c; c++) {
            var s = 0;
            for (var q = 0; q < out.h * out.w; q++) s += out.values[c * out.h * out.w + q];
            m.push(s / (out.h * out.w));
          }
          return m;
        });
        var channels = first.weight.length / (per * (first.ci || 1));
        for (var c = 0; c < channels; c++) {
          var best = 0;
          for (var i = 1; i < images.length; i++) if (means[i][c] > means[best][c]) best = i;
          excite.push(best);
          html.push('<figure class="d2s-kernel"><canvas role="img" aria-label="' + escapeHtml(say('li_kernel_n', {channel: c})) +
            '"><\/canvas><figcaption>' + c + ': ' + bothTexts(function (lang) {
              return label(state, lang, 'li_excite', {name: state.names[lang][state.labels[best]], id: state.ids[best]});
            }) + '<\/figcaption><\/figure>');
        }
        row.innerHTML = html.join('');
        var canvases = row.querySelectorAll('canvas');
        for (c = 0; c < channels; c++) {
          var slice = first.weight.slice(c * per, (c + 1) * per);
          paint(canvases[c], slice, 0, first.k[0], first.k[1], largestMagnitude(first.weight));
        }
      }

      /* A 28x28 drawing pad: white paper, dark ink; a stroke is a list of points, undo drops the last. */
      function setupDrawing() {
        padContext = pad.getContext('2d');
        redrawPad(true);
        var active = null;
        pad.addEventListener('pointerdown', function (event) {
          event.preventDefault();
          if (pad.setPointerCapture) pad.setPointerCapture(event.pointerId);
          active = [];
          strokes.push(active);
          addPoint(event);
        });
        pad.addEventListener('pointermove', function (event) { if (active) addPoint(event); });
        var end = function () { active = null; };
        pad.addEventListener('pointerup', end);
        pad.addEventListener('pointercancel', end);
        function addPoint(event) {
          var box = pad.getBoundingClientRect();
          active.push([(event.clientX - box.left) / box.width * 28, (event.clientY - box.top) / box.height * 28]);
          redrawPad();
        }
      }

      /* Ink the strokes (2 px wide, round), read the 28x28 pixels as the loader reads images: value/255. */
      function redrawPad(quiet) {
        padContext.fillStyle = '#000';
        padContext.fillRect(0, 0, 28, 28);
        padContext.strokeStyle = '#fff';
        padContext.lineWidth = 2.2;
        padContext.lineCap = padContext.lineJoin = 'round';
        for (var s = 0; s < strokes.length; s++) {
          padContext.beginPath();
          for (var p = 0; p < strokes[s].length; p++) padContext[p ? 'lineTo' : 'moveTo'](strokes[s][p][0], strokes[s][p][1]);
          if (strokes[s].length === 1) padContext.lineTo(strokes[s][0][0] + 0.01, strokes[s][0][1]);
          padContext.stroke();
        }
        if (quiet) return;
        var data = padContext.getImageData(0, 0, 28, 28).data, pixels = [];
        for (var n = 0; n < 784; n++) pixels.push(data[4 * n] / 255);
        drawing = pixels;
        for (n = 0; n < thumbs.length; n++) thumbs[n].setAttribute('aria-pressed', 'false');
        update();
      }

      root.d2lcnn = {
        forward: function (pixels) {
          return forward(layers, {c: 1, h: 28, w: 28, values: pixels}).map(function (o) { return o.values; });
        },
        pick: function (i) { thumbs[i].click(); return outputs[outputs.length - 1].values; },
        select: function (layer, channel, row, col) {
          selected = {layer: layer, channel: channel, row: row, col: col};
          showDetail();
          return detail.querySelector('.d2s-math').textContent;
        }
      };
      return {say: function () {}};
    }

    return {boot: boot, start: start, run: run, check: check, sizeLines: sizeLines, stepLines: stepLines,
            title: title, rfText: rfText, fmt: fmt, toState: toState, forward: forward, decodeHalf: decodeHalf};
  }
})();
