/* d2lcnn training engine (d2lcnn/widgets/train.js): LeNet learns in the reader's browser.

   Forward AND backward passes of the layers the book's LeNets use, the optimizers and the weight
   initialisations of the chapters, and a small training loop, on typed arrays. Plain ES5 plus
   typed arrays and no DOM access anywhere, so the same text runs in a page, in a Web Worker and in
   any notebook front end.

   Why a second forward pass beside stepper.js's forward() (the look-inside view): that one is
   built on the steppers' run(), which computes one output cell at a time through a state object,
   with dilation, per-cell bounds checks and boxed JS arrays, because each of its cells has to be
   explained step by step. Measured side by side in one Chromium page (tests/test_train_engine.py
   prints both; batches of 20, 2026-12-07) it does about 600-650 LeNet forward passes a second where
   this engine, which runs each layer as blocked matrix products over the whole batch, does
   3,000-4,300, and training needs a backward pass on top (about twice a forward's work) for every
   example (benchmarks/browser_train.py measures training speed).
   Making the look-inside view call this engine instead would put this file into every page that
   carries a stepper (first-visit weight) and change stepper.js's behaviour; so the two stay
   separate, and tests/test_train_engine.py runs both on the same weights and images and checks
   that they agree, so that they cannot drift apart.

   Layout. Every activation is one typed array, example-major: N x C x H x W (a dense layer's
   output is N x F). Layers are objects with forward(x, n, training) and backward(dy, n, needDx);
   each keeps what its backward pass needs and owns its output buffers (reallocated only when the
   batch size changes). Parameters are {name, shape, data, grad} in torch's net.parameters() order.

   The public object, d2lcnnTrain (window.d2lcnnTrain in a page, self.d2lcnnTrain in a worker):
     PRESETS                  the book's LeNets: 'lenet-sigmoid' (ch. 6, 1998 recipe: sigmoid,
                              average pooling), 'lenet-relu' (ReLU, max pooling), 'lenet-bn'
                              (ch. 11, batch normalization before every sigmoid)
     network(spec, options)   a Network; spec = a preset name or {input: [c, h, w], layers: [...]},
                              options.float32 stores numbers as Float32Array (default Float64Array)
     optimizer(name, params, settings)  'sgd' (train_ch6's, the notes' recipe), 'momentum', 'adam'
     rng(seed)                a seeded uniform generator in [0, 1)
     trainer(settings, data)  a training loop over uint8 images (see Trainer)
   Layer specs: {type: 'conv', in, out, k, p, s} (k, p, s a number or [h, w]); {type: 'maxpool' |
   'avgpool', k, s, p} (s defaults to k, as torch's); {type: 'sigmoid' | 'relu' | 'tanh'};
   {type: 'flatten'}; {type: 'linear', in, out}; {type: 'bn', c} (after a convolution or a dense
   layer: it normalizes per channel over batch and space, momentum 0.1, eps 1e-5 as nn.BatchNorm). */
function d2lcnnTrainEngine(global) {
  'use strict';

  function pair(v, name) {
    if (v === undefined) return null;
    if (typeof v === 'number') return [v, v];
    if (v && v.length === 2) return [+v[0], +v[1]];
    throw new Error(name + ' must be a number or [height, width], got ' + JSON.stringify(v));
  }

  /* ------------------------------------------------------------ convolution */

  /* nn.Conv2d without dilation or groups, as matrix products over the whole mini-batch (im2col).
     The input is first copied into zero-padded planes (xp, hp x wp per channel). Then every output
     position p of the batch (p = example * ho * wo + row * wo + column) gets one row of `cols`: the
     K = ci * kh * kw input values under its window, in the weight's order (channel, kernel row,
     kernel column), so that a row of cols and a row of W (out x K) line up. Then
       forward   y[p, o] = b[o] + sum_k cols[p, k] W[o, k]
       backward  dW[o, k] += sum_p dy[p, o] cols[p, k],   db[o] += sum_p dy[p, o],
                 dcols[p, k] = sum_o dy[p, o] W[o, k], added back into the padded planes (col2im)
     where y and dy are stored example by example, channel by channel (N x co x ho x wo).
     Every inner loop runs along consecutive numbers of a row. The forward product computes a block
     of 4 positions x 4 output channels at a time: 16 running sums kept in local variables, 8 loads
     for 16 multiply-adds. The backward pass goes position by position and skips output gradients
     that are exactly 0: behind a ReLU and max pooling most are (max pooling passes back one of every
     four), and what they would add is exactly 0, so only the time changes. */
  function Conv(spec, inShape, A) {
    var k = pair(spec.k, 'k'), p = pair(spec.p || 0, 'p'), s = pair(spec.s || 1, 's');
    this.ci = inShape[0]; this.h = inShape[1]; this.w = inShape[2];
    if (spec['in'] !== undefined && spec['in'] !== this.ci) {
      throw new Error('conv layer expects ' + spec['in'] + ' input channels, the layer before gives ' + this.ci);
    }
    this.co = spec.out; this.kh = k[0]; this.kw = k[1]; this.ph = p[0]; this.pw = p[1]; this.sh = s[0]; this.sw = s[1];
    this.hp = this.h + 2 * this.ph; this.wp = this.w + 2 * this.pw;
    this.ho = Math.floor((this.hp - this.kh) / this.sh) + 1;
    this.wo = Math.floor((this.wp - this.kw) / this.sw) + 1;
    if (this.ho < 1 || this.wo < 1) throw new Error('conv kernel ' + this.kh + 'x' + this.kw + ' is larger than its padded input ' + this.hp + 'x' + this.wp);
    this.plane = this.hp * this.wp;
    this.outShape = [this.co, this.ho, this.wo];
    this.fanIn = this.ci * this.kh * this.kw; this.fanOut = this.co * this.kh * this.kw;
    var size = this.co * this.fanIn;
    this.weight = {name: 'weight', shape: [this.co, this.ci, this.kh, this.kw], data: new A(size), grad: new A(size)};
    this.bias = {name: 'bias', shape: [this.co], data: new A(this.co), grad: new A(this.co)};
    this.params = [this.weight, this.bias];
    this.kp = Math.ceil(this.fanIn / 4) * 4;  /* a row of cols, padded with zeros to a multiple of 4 */
    this.wpad = new A(this.co * this.kp);     /* W with rows of kp numbers (backward's dense product) */
    this.nzAt = new Int32Array(this.co);  /* backward: the nonzero gradients of one position */
    this.nzG = new A(this.co);
    this.A = A; this.n = -1;
  }
  Conv.prototype.alloc = function (n) {
    if (this.n === n) return;
    var A = this.A;
    this.n = n;
    this.xp = new A(n * this.ci * this.plane);
    this.cols = new A(n * this.ho * this.wo * this.kp);
    this.y = new A(n * this.co * this.ho * this.wo);
    this.dxp = null; this.dcols = null; this.dx = null;  /* made by the first backward pass that needs them */
  };
  /* x (N x ci x h x w) into the padded planes, then the planes into cols, one window per row. */
  Conv.prototype.im2col = function (x, n) {
    var xp = this.xp, cols = this.cols, h = this.h, w = this.w, wp = this.wp, ci = this.ci, planes = n * ci;
    var q, i, j;
    for (q = 0; q < planes; q++) {
      var src = q * h * w, dst = q * this.plane + this.ph * wp + this.pw;
      for (i = 0; i < h; i++) {
        var si = src + i * w, di = dst + i * wp;
        for (j = 0; j < w; j++) xp[di + j] = x[si + j];
      }
    }
    var kh = this.kh, kw = this.kw, sh = this.sh, sw = this.sw, ho = this.ho, wo = this.wo, plane = this.plane, at = 0;
    var pad = this.kp - this.fanIn;
    for (var ex = 0; ex < n; ex++) {
      for (i = 0; i < ho; i++) {
        for (j = 0; j < wo; j++) {
          var corner = ex * ci * plane + i * sh * wp + j * sw;
          for (var c = 0; c < ci; c++) {
            for (var a = 0; a < kh; a++) {
              var row = corner + c * plane + a * wp;
              for (var b = 0; b < kw; b++) cols[at++] = xp[row + b];
            }
          }
          at += pad;
        }
      }
    }
  };
  Conv.prototype.forward = function (x, n) {
    this.alloc(n);
    this.im2col(x, n);
    var cols = this.cols, y = this.y, W = this.weight.data, B = this.bias.data;
    var K = this.fanIn, kp = this.kp, co = this.co, hw = this.ho * this.wo, o, j, k, p, s;
    for (var ex = 0; ex < n; ex++) {
      var first = ex * hw, yb = ex * co * hw;
      for (o = 0; o + 3 < co; o += 4) {
        var w0 = o * K, w1 = w0 + K, w2 = w1 + K, w3 = w2 + K, y0 = yb + o * hw, y1 = y0 + hw, y2 = y1 + hw, y3 = y2 + hw;
        for (j = 0; j + 3 < hw; j += 4) {
          var c0 = (first + j) * kp, c1 = c0 + kp, c2 = c1 + kp, c3 = c2 + kp;
          var s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
          var s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
          for (k = 0; k < K; k++) {
            var x0 = cols[c0 + k], x1 = cols[c1 + k], x2 = cols[c2 + k], x3 = cols[c3 + k], v = W[w0 + k];
            s00 += v * x0; s01 += v * x1; s02 += v * x2; s03 += v * x3;
            v = W[w1 + k]; s10 += v * x0; s11 += v * x1; s12 += v * x2; s13 += v * x3;
            v = W[w2 + k]; s20 += v * x0; s21 += v * x1; s22 += v * x2; s23 += v * x3;
            v = W[w3 + k]; s30 += v * x0; s31 += v * x1; s32 += v * x2; s33 += v * x3;
          }
          y[y0 + j] = B[o] + s00; y[y0 + j + 1] = B[o] + s01; y[y0 + j + 2] = B[o] + s02; y[y0 + j + 3] = B[o] + s03;
          y[y1 + j] = B[o + 1] + s10; y[y1 + j + 1] = B[o + 1] + s11; y[y1 + j + 2] = B[o + 1] + s12; y[y1 + j + 3] = B[o + 1] + s13;
          y[y2 + j] = B[o + 2] + s20; y[y2 + j + 1] = B[o + 2] + s21; y[y2 + j + 2] = B[o + 2] + s22; y[y2 + j + 3] = B[o + 2] + s23;
          y[y3 + j] = B[o + 3] + s30; y[y3 + j + 1] = B[o + 3] + s31; y[y3 + j + 2] = B[o + 3] + s32; y[y3 + j + 3] = B[o + 3] + s33;
        }
        for (; j < hw; j++) {  /* the last positions when ho * wo is not a multiple of 4 */
          p = (first + j) * kp;
          for (var r = 0; r < 4; r++) {
            var wr = w0 + r * K;
            for (s = 0, k = 0; k < K; k++) s += W[wr + k] * cols[p + k];
            y[y0 + r * hw + j] = B[o + r] + s;
          }
        }
      }
      for (; o < co; o += 2) {  /* the last channels when co is not a multiple of 4: two at a time */
        var v0 = o * K, v1 = o + 1 < co ? v0 + K : v0, z0 = yb + o * hw, z1 = z0 + hw, second = o + 1 < co;
        for (j = 0; j < hw; j += 4) {
          var e0 = (first + j) * kp, e1 = j + 1 < hw ? e0 + kp : e0, e2 = j + 2 < hw ? e0 + 2 * kp : e0, e3 = j + 3 < hw ? e0 + 3 * kp : e0;
          var t00 = 0, t01 = 0, t02 = 0, t03 = 0, t10 = 0, t11 = 0, t12 = 0, t13 = 0;
          for (k = 0; k < K; k++) {
            var u0 = cols[e0 + k], u1 = cols[e1 + k], u2 = cols[e2 + k], u3 = cols[e3 + k], q0 = W[v0 + k], q1 = W[v1 + k];
            t00 += q0 * u0; t01 += q0 * u1; t02 += q0 * u2; t03 += q0 * u3;
            t10 += q1 * u0; t11 += q1 * u1; t12 += q1 * u2; t13 += q1 * u3;
          }
          /* a short last block repeats its first position; only the real ones are written */
          y[z0 + j] = B[o] + t00; if (j + 1 < hw) y[z0 + j + 1] = B[o] + t01;
          if (j + 2 < hw) y[z0 + j + 2] = B[o] + t02; if (j + 3 < hw) y[z0 + j + 3] = B[o] + t03;
          if (!second) continue;
          y[z1 + j] = B[o + 1] + t10; if (j + 1 < hw) y[z1 + j + 1] = B[o + 1] + t11;
          if (j + 2 < hw) y[z1 + j + 2] = B[o + 1] + t12; if (j + 3 < hw) y[z1 + j + 3] = B[o + 1] + t13;
        }
      }
    }
    return y;
  };
  /* Gradients accumulate into .grad, as torch's do, until zeroGrad(). When at most a third of the
     output gradients are nonzero (ReLU nets) the sparse loops below do the work, else the dense
     blocked products (sigmoid nets); both compute the same sums. */
  Conv.prototype.backward = function (dy, n, needDx) {
    var co = this.co, hw = this.ho * this.wo, total = n * co * hw, nonzero = 0, t, o, ex;
    if (needDx && !this.dcols) {
      this.dcols = new this.A(this.cols.length); this.dxp = new this.A(this.xp.length); this.dx = new this.A(n * this.ci * this.h * this.w);
    }
    var dB = this.bias.grad;
    for (ex = 0; ex < n; ex++) {
      for (o = 0; o < co; o++) {
        var base = (ex * co + o) * hw, sum = 0;
        for (t = 0; t < hw; t++) { var g = dy[base + t]; if (g !== 0) { sum += g; nonzero++; } }
        dB[o] += sum;
      }
    }
    if (nonzero * 3 <= total) this.backwardSparse(dy, n, needDx); else this.backwardDense(dy, n, needDx);
    return needDx ? this.col2im(n) : null;
  };
  /* Position by position: the nonzero gradients g of its output channels o, then
     dW[o, :] += g * cols[p, :] and dcols[p, :] = sum over them of g * W[o, :]. */
  Conv.prototype.backwardSparse = function (dy, n, needDx) {
    var cols = this.cols, dcols = this.dcols, W = this.weight.data, dW = this.weight.grad;
    var K = this.fanIn, kp = this.kp, co = this.co, hw = this.ho * this.wo, nzAt = this.nzAt, nzG = this.nzG, k, t;
    for (var ex = 0; ex < n; ex++) {
      for (var j = 0; j < hw; j++) {
        var m = 0, gb = ex * co * hw + j, p = (ex * hw + j) * kp;
        for (var o = 0; o < co; o++) {
          var g = dy[gb + o * hw];
          if (g !== 0) { nzAt[m] = o * K; nzG[m] = g; m++; }
        }
        for (t = 0; t < m; t++) {
          var wb = nzAt[t], gt = nzG[t];
          for (k = 0; k < K; k++) dW[wb + k] += gt * cols[p + k];
        }
        if (!needDx) continue;
        for (k = 0; k < K; k++) dcols[p + k] = 0;
        for (t = 0; t < m; t++) {
          var wt = nzAt[t], gg = nzG[t];
          for (k = 0; k < K; k++) dcols[p + k] += gg * W[wt + k];
        }
      }
    }
  };
  /* Blocked, one example at a time (its rows of cols stay in the cache): dW in blocks of 2 output
     channels x 4 columns of cols (8 running sums over the example's positions), dcols in blocks of
     4 positions x 4 columns (16 running sums over the output channels). */
  Conv.prototype.backwardDense = function (dy, n, needDx) {
    var cols = this.cols, dcols = this.dcols, W = this.weight.data, dW = this.weight.grad, wpad = this.wpad;
    var K = this.fanIn, kp = this.kp, co = this.co, hw = this.ho * this.wo, o, k, j, t, q;
    for (o = 0; o < co; o++) for (k = 0; k < kp; k++) wpad[o * kp + k] = k < K ? W[o * K + k] : 0;
    for (var ex = 0; ex < n; ex++) {
      var first = ex * hw * kp;
      for (o = 0; o < co; o += 2) {
        var g0b = (ex * co + o) * hw, g1b = o + 1 < co ? g0b + hw : g0b;  /* an odd last channel: computed twice, kept once */
        for (k = 0; k < kp; k += 4) {
          var s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
          for (j = 0, q = first + k; j < hw; j++, q += kp) {
            var g0 = dy[g0b + j], g1 = dy[g1b + j], c0 = cols[q], c1 = cols[q + 1], c2 = cols[q + 2], c3 = cols[q + 3];
            s00 += g0 * c0; s01 += g0 * c1; s02 += g0 * c2; s03 += g0 * c3;
            s10 += g1 * c0; s11 += g1 * c1; s12 += g1 * c2; s13 += g1 * c3;
          }
          var d0 = o * K + k, d1 = d0 + K;
          dW[d0] += s00; if (k + 1 < K) dW[d0 + 1] += s01; if (k + 2 < K) dW[d0 + 2] += s02; if (k + 3 < K) dW[d0 + 3] += s03;
          if (o + 1 < co) {
            dW[d1] += s10; if (k + 1 < K) dW[d1 + 1] += s11; if (k + 2 < K) dW[d1 + 2] += s12; if (k + 3 < K) dW[d1 + 3] += s13;
          }
        }
      }
      if (!needDx) continue;
      var gex = ex * co * hw;
      for (j = 0; j < hw; j += 4) {
        var four = j + 3 < hw, r1 = four ? 1 : 0, r2 = four ? 2 : 0, r3 = four ? 3 : 0;  /* a short last block repeats its first position */
        for (k = 0; k < kp; k += 4) {
          var a00 = 0, a01 = 0, a02 = 0, a03 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0;
          var a20 = 0, a21 = 0, a22 = 0, a23 = 0, a30 = 0, a31 = 0, a32 = 0, a33 = 0;
          for (o = 0; o < co; o++) {
            var gb = gex + o * hw + j, wb = o * kp + k;
            var h0 = dy[gb], h1 = dy[gb + r1], h2 = dy[gb + r2], h3 = dy[gb + r3];
            var w0 = wpad[wb], w1 = wpad[wb + 1], w2 = wpad[wb + 2], w3 = wpad[wb + 3];
            a00 += h0 * w0; a01 += h0 * w1; a02 += h0 * w2; a03 += h0 * w3;
            a10 += h1 * w0; a11 += h1 * w1; a12 += h1 * w2; a13 += h1 * w3;
            a20 += h2 * w0; a21 += h2 * w1; a22 += h2 * w2; a23 += h2 * w3;
            a30 += h3 * w0; a31 += h3 * w1; a32 += h3 * w2; a33 += h3 * w3;
          }
          var p0 = first + j * kp + k;
          dcols[p0] = a00; dcols[p0 + 1] = a01; dcols[p0 + 2] = a02; dcols[p0 + 3] = a03;
          if (!four) continue;
          dcols[p0 + kp] = a10; dcols[p0 + kp + 1] = a11; dcols[p0 + kp + 2] = a12; dcols[p0 + kp + 3] = a13;
          p0 += 2 * kp;
          dcols[p0] = a20; dcols[p0 + 1] = a21; dcols[p0 + 2] = a22; dcols[p0 + 3] = a23;
          p0 += kp;
          dcols[p0] = a30; dcols[p0 + 1] = a31; dcols[p0 + 2] = a32; dcols[p0 + 3] = a33;
        }
        if (!four) for (t = j + 1; t < hw; t++) this.dcolsAt(dy, ex, t);
      }
    }
  };
  /* dcols of one position (the last positions of an example when ho * wo is not a multiple of 4). */
  Conv.prototype.dcolsAt = function (dy, ex, j) {
    var co = this.co, hw = this.ho * this.wo, kp = this.kp, wpad = this.wpad, dcols = this.dcols;
    var p = (ex * hw + j) * kp;
    for (var k = 0; k < kp; k++) {
      var s = 0;
      for (var o = 0; o < co; o++) s += dy[(ex * co + o) * hw + j] * wpad[o * kp + k];
      dcols[p + k] = s;
    }
  };
  /* Each row of dcols added back under its window in the padded planes, then the padding cropped. */
  Conv.prototype.col2im = function (n) {
    var dxp = this.dxp, dcols = this.dcols, dx = this.dx, ci = this.ci, kh = this.kh, kw = this.kw;
    var sh = this.sh, sw = this.sw, ho = this.ho, wo = this.wo, wp = this.wp, plane = this.plane, at = 0, i, j;
    var pad = this.kp - this.fanIn;
    dxp.fill(0);
    for (var ex = 0; ex < n; ex++) {
      for (i = 0; i < ho; i++) {
        for (j = 0; j < wo; j++) {
          var corner = ex * ci * plane + i * sh * wp + j * sw;
          for (var c = 0; c < ci; c++) {
            for (var a = 0; a < kh; a++) {
              var row = corner + c * plane + a * wp;
              for (var b = 0; b < kw; b++) dxp[row + b] += dcols[at++];
            }
          }
          at += pad;
        }
      }
    }
    var h = this.h, w = this.w, planes = n * ci;
    for (var q = 0; q < planes; q++) {
      var src = q * plane + this.ph * wp + this.pw, dst = q * h * w;
      for (i = 0; i < h; i++) for (j = 0; j < w; j++) dx[dst + i * w + j] = dxp[src + i * wp + j];
    }
    return dx;
  };

  /* ---------------------------------------------------------------- pooling */

  /* nn.MaxPool2d / nn.AvgPool2d (floor mode). Padding counts as -inf for max pooling and as 0 for
     average pooling, which divides by the whole window (count_include_pad, torch's default). Max
     pooling remembers which input won each window (the first largest in row-major order, as torch
     picks it) and sends the whole gradient there. */
  function Pool(spec, inShape, A) {
    var k = pair(spec.k, 'k'), s = pair(spec.s === undefined ? spec.k : spec.s, 's'), p = pair(spec.p || 0, 'p');
    this.max = spec.type === 'maxpool';
    this.c = inShape[0]; this.h = inShape[1]; this.w = inShape[2];
    this.kh = k[0]; this.kw = k[1]; this.sh = s[0]; this.sw = s[1]; this.ph = p[0]; this.pw = p[1];
    if (2 * this.ph > this.kh || 2 * this.pw > this.kw) throw new Error('pooling padding must be at most half the window, as in torch');
    this.ho = Math.floor((this.h + 2 * this.ph - this.kh) / this.sh) + 1;
    this.wo = Math.floor((this.w + 2 * this.pw - this.kw) / this.sw) + 1;
    if (this.ho < 1 || this.wo < 1) throw new Error('pooling window ' + this.kh + 'x' + this.kw + ' is larger than its padded input');
    this.outShape = [this.c, this.ho, this.wo];
    this.params = [];
    this.A = A; this.n = -1;
  }
  Pool.prototype.alloc = function (n) {
    if (this.n === n) return;
    this.n = n;
    this.y = new this.A(n * this.c * this.ho * this.wo);
    this.dx = new this.A(n * this.c * this.h * this.w);
    this.arg = new Int32Array(this.max ? this.y.length : 0);
  };
  Pool.prototype.forward = function (x, n) {
    this.alloc(n);
    var y = this.y, arg = this.arg, h = this.h, w = this.w, ho = this.ho, wo = this.wo;
    var kh = this.kh, kw = this.kw, sh = this.sh, sw = this.sw, ph = this.ph, pw = this.pw;
    var planes = n * this.c, area = kh * kw, isMax = this.max;
    if (kh === 2 && kw === 2 && sh === 2 && sw === 2 && ph === 0 && pw === 0) return this.forward22(x, planes);
    for (var q = 0; q < planes; q++) {
      var xb = q * h * w, yb = q * ho * wo;
      for (var i = 0; i < ho; i++) {
        for (var j = 0; j < wo; j++) {
          var best = -Infinity, at = -1, sum = 0;
          for (var a = 0; a < kh; a++) {
            var r = i * sh + a - ph;
            if (r < 0 || r >= h) continue;
            for (var b = 0; b < kw; b++) {
              var col = j * sw + b - pw;
              if (col < 0 || col >= w) continue;
              var v = x[xb + r * w + col];
              if (isMax) { if (v > best || at < 0) { best = v; at = xb + r * w + col; } } else sum += v;
            }
          }
          if (isMax) { y[yb + i * wo + j] = best; arg[yb + i * wo + j] = at; } else y[yb + i * wo + j] = sum / area;
        }
      }
    }
    return y;
  };
  /* The LeNets' pooling (2 x 2 windows, stride 2, no padding), without the general case's bounds
     checks; ties go to the first in row-major order, as above. */
  Pool.prototype.forward22 = function (x, planes) {
    var y = this.y, arg = this.arg, w = this.w, ho = this.ho, wo = this.wo, isMax = this.max;
    for (var q = 0; q < planes; q++) {
      var xb = q * this.h * w, yb = q * ho * wo;
      for (var i = 0; i < ho; i++) {
        var top = xb + 2 * i * w, yr = yb + i * wo;
        for (var j = 0; j < wo; j++) {
          var at = top + 2 * j, v0 = x[at], v1 = x[at + 1], v2 = x[at + w], v3 = x[at + w + 1];
          if (isMax) {
            var best = v0, where = at;
            if (v1 > best) { best = v1; where = at + 1; }
            if (v2 > best) { best = v2; where = at + w; }
            if (v3 > best) { best = v3; where = at + w + 1; }
            y[yr + j] = best; arg[yr + j] = where;
          } else {
            y[yr + j] = (v0 + v1 + v2 + v3) / 4;
          }
        }
      }
    }
    return y;
  };
  Pool.prototype.backward = function (dy, n) {
    var dx = this.dx, t;
    for (t = 0; t < dx.length; t++) dx[t] = 0;
    if (this.max) {
      var arg = this.arg;
      for (t = 0; t < dy.length; t++) dx[arg[t]] += dy[t];
      return dx;
    }
    var h = this.h, w = this.w, ho = this.ho, wo = this.wo, kh = this.kh, kw = this.kw;
    var sh = this.sh, sw = this.sw, ph = this.ph, pw = this.pw, planes = n * this.c, area = kh * kw;
    for (var q = 0; q < planes; q++) {
      var xb = q * h * w, yb = q * ho * wo;
      for (var i = 0; i < ho; i++) {
        for (var j = 0; j < wo; j++) {
          var g = dy[yb + i * wo + j] / area;
          for (var a = 0; a < kh; a++) {
            var r = i * sh + a - ph;
            if (r < 0 || r >= h) continue;
            for (var b = 0; b < kw; b++) {
              var col = j * sw + b - pw;
              if (col >= 0 && col < w) dx[xb + r * w + col] += g;
            }
          }
        }
      }
    }
    return dx;
  };

  /* ------------------------------------------------------------ activations */

  /* Each keeps its output y: the three derivatives are functions of y alone. */
  function Activation(spec, inShape, A) {
    this.kind = spec.type;
    this.outShape = inShape.slice();
    this.size = inShape[0] * inShape[1] * inShape[2];
    this.params = [];
    this.A = A; this.n = -1;
  }
  Activation.prototype.alloc = function (n) {
    if (this.n === n) return;
    this.n = n;
    this.y = new this.A(n * this.size);
    this.dx = new this.A(n * this.size);
  };
  Activation.prototype.forward = function (x, n) {
    this.alloc(n);
    var y = this.y, m = n * this.size, t;
    if (this.kind === 'relu') for (t = 0; t < m; t++) { var v = x[t]; y[t] = v > 0 ? v : 0; }
    else if (this.kind === 'sigmoid') for (t = 0; t < m; t++) y[t] = 1 / (1 + Math.exp(-x[t]));
    else for (t = 0; t < m; t++) y[t] = Math.tanh(x[t]);
    return y;
  };
  Activation.prototype.backward = function (dy, n) {
    var y = this.y, dx = this.dx, m = n * this.size, t;
    if (this.kind === 'relu') for (t = 0; t < m; t++) dx[t] = y[t] > 0 ? dy[t] : 0;
    else if (this.kind === 'sigmoid') for (t = 0; t < m; t++) dx[t] = dy[t] * y[t] * (1 - y[t]);
    else for (t = 0; t < m; t++) dx[t] = dy[t] * (1 - y[t] * y[t]);
    return dx;
  };

  /* nn.Flatten: the N x C x H x W layout already is N x (C * H * W). */
  function Flatten(spec, inShape) {
    this.outShape = [inShape[0] * inShape[1] * inShape[2], 1, 1];
    this.params = [];
  }
  Flatten.prototype.forward = function (x) { return x; };
  Flatten.prototype.backward = function (dy) { return dy; };

  /* -------------------------------------------------------------- dense layer */

  /* nn.Linear: y = x W^T + b with W of shape out x in; every inner loop runs along rows of W and x. */
  function Linear(spec, inShape, A) {
    this.fin = inShape[0] * inShape[1] * inShape[2];
    if (spec['in'] !== undefined && spec['in'] !== this.fin) {
      throw new Error('linear layer expects ' + spec['in'] + ' inputs, the layer before gives ' + this.fin);
    }
    this.fout = spec.out;
    this.fanIn = this.fin; this.fanOut = this.fout;
    this.outShape = [this.fout, 1, 1];
    this.weight = {name: 'weight', shape: [this.fout, this.fin], data: new A(this.fout * this.fin), grad: new A(this.fout * this.fin)};
    this.bias = {name: 'bias', shape: [this.fout], data: new A(this.fout), grad: new A(this.fout)};
    this.params = [this.weight, this.bias];
    this.A = A; this.n = -1;
  }
  Linear.prototype.alloc = function (n) {
    if (this.n === n) return;
    this.n = n;
    this.y = new this.A(n * this.fout);
    this.dx = new this.A(n * this.fin);
  };
  /* Blocks of 2 examples x 4 outputs: 8 running sums, 6 loads for 8 multiply-adds. */
  Linear.prototype.forward = function (x, n) {
    this.alloc(n);
    this.x = x;
    var y = this.y, W = this.weight.data, B = this.bias.data, fin = this.fin, fout = this.fout, i, o;
    for (var ex = 0; ex < n; ex += 2) {
      var x0 = ex * fin, x1 = ex + 1 < n ? x0 + fin : x0, two = ex + 1 < n;  /* an odd last example: computed twice, kept once */
      for (o = 0; o + 3 < fout; o += 4) {
        var w0 = o * fin, w1 = w0 + fin, w2 = w1 + fin, w3 = w2 + fin;
        var s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
        for (i = 0; i < fin; i++) {
          var a = x[x0 + i], b = x[x1 + i], v0 = W[w0 + i], v1 = W[w1 + i], v2 = W[w2 + i], v3 = W[w3 + i];
          s00 += a * v0; s01 += a * v1; s02 += a * v2; s03 += a * v3;
          s10 += b * v0; s11 += b * v1; s12 += b * v2; s13 += b * v3;
        }
        var y0 = ex * fout + o;
        y[y0] = B[o] + s00; y[y0 + 1] = B[o + 1] + s01; y[y0 + 2] = B[o + 2] + s02; y[y0 + 3] = B[o + 3] + s03;
        if (two) { y[y0 + fout] = B[o] + s10; y[y0 + fout + 1] = B[o + 1] + s11; y[y0 + fout + 2] = B[o + 2] + s12; y[y0 + fout + 3] = B[o + 3] + s13; }
      }
      for (; o < fout; o++) {  /* the last outputs when fout is not a multiple of 4 */
        var wb = o * fin, t0 = 0, t1 = 0;
        for (i = 0; i < fin; i++) { t0 += W[wb + i] * x[x0 + i]; t1 += W[wb + i] * x[x1 + i]; }
        y[ex * fout + o] = B[o] + t0;
        if (two) y[(ex + 1) * fout + o] = B[o] + t1;
      }
    }
    return y;
  };
  /* dW[o, i] += sum over examples of dy[ex, o] x[ex, i] and dx[ex, i] = sum over outputs of
     dy[ex, o] W[o, i], each in blocks of 4 x 4 (16 running sums, 8 loads for 16 multiply-adds); the
     rows and columns left over when a size is not a multiple of 4 by plain dot products. */
  Linear.prototype.backward = function (dy, n, needDx) {
    var x = this.x, dx = this.dx, W = this.weight.data, dW = this.weight.grad, dB = this.bias.grad;
    var fin = this.fin, fout = this.fout, o4 = fout - fout % 4, i4 = fin - fin % 4, n4 = n - n % 4;
    var o, i, ex, s, a, b;
    for (ex = 0; ex < n; ex++) for (o = 0; o < fout; o++) dB[o] += dy[ex * fout + o];
    for (o = 0; o < o4; o += 4) {
      for (i = 0; i < i4; i += 4) {
        var s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
        var s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
        for (ex = 0; ex < n; ex++) {
          a = ex * fout + o; b = ex * fin + i;
          var g0 = dy[a], g1 = dy[a + 1], g2 = dy[a + 2], g3 = dy[a + 3], x0 = x[b], x1 = x[b + 1], x2 = x[b + 2], x3 = x[b + 3];
          s00 += g0 * x0; s01 += g0 * x1; s02 += g0 * x2; s03 += g0 * x3;
          s10 += g1 * x0; s11 += g1 * x1; s12 += g1 * x2; s13 += g1 * x3;
          s20 += g2 * x0; s21 += g2 * x1; s22 += g2 * x2; s23 += g2 * x3;
          s30 += g3 * x0; s31 += g3 * x1; s32 += g3 * x2; s33 += g3 * x3;
        }
        a = o * fin + i;
        dW[a] += s00; dW[a + 1] += s01; dW[a + 2] += s02; dW[a + 3] += s03; a += fin;
        dW[a] += s10; dW[a + 1] += s11; dW[a + 2] += s12; dW[a + 3] += s13; a += fin;
        dW[a] += s20; dW[a + 1] += s21; dW[a + 2] += s22; dW[a + 3] += s23; a += fin;
        dW[a] += s30; dW[a + 1] += s31; dW[a + 2] += s32; dW[a + 3] += s33;
      }
    }
    for (o = 0; o < fout; o++) {
      for (i = o < o4 ? i4 : 0; i < fin; i++) {
        for (s = 0, ex = 0; ex < n; ex++) s += dy[ex * fout + o] * x[ex * fin + i];
        dW[o * fin + i] += s;
      }
    }
    if (!needDx) return null;
    for (ex = 0; ex < n4; ex += 4) {
      for (i = 0; i < i4; i += 4) {
        var t00 = 0, t01 = 0, t02 = 0, t03 = 0, t10 = 0, t11 = 0, t12 = 0, t13 = 0;
        var t20 = 0, t21 = 0, t22 = 0, t23 = 0, t30 = 0, t31 = 0, t32 = 0, t33 = 0;
        for (o = 0; o < fout; o++) {
          a = ex * fout + o; b = o * fin + i;
          var h0 = dy[a], h1 = dy[a + fout], h2 = dy[a + 2 * fout], h3 = dy[a + 3 * fout];
          var w0 = W[b], w1 = W[b + 1], w2 = W[b + 2], w3 = W[b + 3];
          t00 += h0 * w0; t01 += h0 * w1; t02 += h0 * w2; t03 += h0 * w3;
          t10 += h1 * w0; t11 += h1 * w1; t12 += h1 * w2; t13 += h1 * w3;
          t20 += h2 * w0; t21 += h2 * w1; t22 += h2 * w2; t23 += h2 * w3;
          t30 += h3 * w0; t31 += h3 * w1; t32 += h3 * w2; t33 += h3 * w3;
        }
        a = ex * fin + i;
        dx[a] = t00; dx[a + 1] = t01; dx[a + 2] = t02; dx[a + 3] = t03; a += fin;
        dx[a] = t10; dx[a + 1] = t11; dx[a + 2] = t12; dx[a + 3] = t13; a += fin;
        dx[a] = t20; dx[a + 1] = t21; dx[a + 2] = t22; dx[a + 3] = t23; a += fin;
        dx[a] = t30; dx[a + 1] = t31; dx[a + 2] = t32; dx[a + 3] = t33;
      }
    }
    for (ex = 0; ex < n; ex++) {
      for (i = ex < n4 ? i4 : 0; i < fin; i++) {
        for (s = 0, o = 0; o < fout; o++) s += dy[ex * fout + o] * W[o * fin + i];
        dx[ex * fin + i] = s;
      }
    }
    return dx;
  };

  /* ------------------------------------------------------ batch normalization */

  /* nn.BatchNorm2d after a convolution (per channel over batch, height and width) or nn.BatchNorm1d
     after a dense layer (per feature over the batch), with PyTorch's conventions: training mode
     normalizes with the batch's mean and biased variance and moves the running averages by
     momentum 0.1 toward the batch mean and the *unbiased* batch variance; eval mode uses the running
     averages. eps 1e-5. gamma ('weight') starts at 1, beta ('bias') at 0, as torch's do. */
  function BatchNorm(spec, inShape, A) {
    this.c = inShape[0]; this.s = inShape[1] * inShape[2];
    if (spec.c !== undefined && spec.c !== this.c) {
      throw new Error('batch norm layer expects ' + spec.c + ' channels, the layer before gives ' + this.c);
    }
    this.eps = spec.eps === undefined ? 1e-5 : spec.eps;
    this.momentum = spec.momentum === undefined ? 0.1 : spec.momentum;
    this.outShape = inShape.slice();
    this.gamma = {name: 'weight', shape: [this.c], data: new A(this.c), grad: new A(this.c)};
    this.beta = {name: 'bias', shape: [this.c], data: new A(this.c), grad: new A(this.c)};
    this.params = [this.gamma, this.beta];
    this.runningMean = new Float64Array(this.c);
    this.runningVar = new Float64Array(this.c);
    this.mean = new Float64Array(this.c);
    this.invStd = new Float64Array(this.c);
    this.reset();
    this.A = A; this.n = -1;
  }
  BatchNorm.prototype.reset = function () {
    for (var c = 0; c < this.c; c++) {
      this.gamma.data[c] = 1; this.beta.data[c] = 0; this.runningMean[c] = 0; this.runningVar[c] = 1;
    }
  };
  BatchNorm.prototype.alloc = function (n) {
    if (this.n === n) return;
    this.n = n;
    this.y = new this.A(n * this.c * this.s);
    this.xhat = new this.A(n * this.c * this.s);
    this.dx = new this.A(n * this.c * this.s);
  };
  BatchNorm.prototype.forward = function (x, n, training) {
    this.alloc(n);
    var C = this.c, S = this.s, y = this.y, xhat = this.xhat, G = this.gamma.data, Bt = this.beta.data;
    var m = n * S, ex, c, t, base;
    if (training && m < 2) throw new Error('batch norm in training mode needs more than one value per channel: use a batch of at least 2');
    this.training = !!training;
    for (c = 0; c < C; c++) {
      var mean, invStd;
      if (training) {
        var sum = 0, sq = 0;
        for (ex = 0; ex < n; ex++) { base = (ex * C + c) * S; for (t = 0; t < S; t++) sum += x[base + t]; }
        mean = sum / m;
        for (ex = 0; ex < n; ex++) {
          base = (ex * C + c) * S;
          for (t = 0; t < S; t++) { var d = x[base + t] - mean; sq += d * d; }
        }
        var variance = sq / m;
        invStd = 1 / Math.sqrt(variance + this.eps);
        this.runningMean[c] = (1 - this.momentum) * this.runningMean[c] + this.momentum * mean;
        this.runningVar[c] = (1 - this.momentum) * this.runningVar[c] + this.momentum * variance * m / (m - 1);
      } else {
        mean = this.runningMean[c];
        invStd = 1 / Math.sqrt(this.runningVar[c] + this.eps);
      }
      this.mean[c] = mean; this.invStd[c] = invStd;
      var g = G[c], b = Bt[c];
      for (ex = 0; ex < n; ex++) {
        base = (ex * C + c) * S;
        for (t = 0; t < S; t++) { var h = (x[base + t] - mean) * invStd; xhat[base + t] = h; y[base + t] = g * h + b; }
      }
    }
    return y;
  };
  /* Training mode: dx = gamma * invStd / m * (m * dy - sum(dy) - xhat * sum(dy * xhat)), the batch
     statistics being functions of x too. Eval mode: the statistics are constants, dx = gamma * invStd * dy. */
  BatchNorm.prototype.backward = function (dy, n) {
    var C = this.c, S = this.s, xhat = this.xhat, dx = this.dx, G = this.gamma.data;
    var dG = this.gamma.grad, dBt = this.beta.grad, m = n * S, ex, c, t, base;
    for (c = 0; c < C; c++) {
      var sumDy = 0, sumDyX = 0;
      for (ex = 0; ex < n; ex++) {
        base = (ex * C + c) * S;
        for (t = 0; t < S; t++) { sumDy += dy[base + t]; sumDyX += dy[base + t] * xhat[base + t]; }
      }
      dG[c] += sumDyX; dBt[c] += sumDy;
      var scale = G[c] * this.invStd[c];
      for (ex = 0; ex < n; ex++) {
        base = (ex * C + c) * S;
        if (this.training) {
          for (t = 0; t < S; t++) dx[base + t] = scale * (dy[base + t] - sumDy / m - xhat[base + t] * sumDyX / m);
        } else {
          for (t = 0; t < S; t++) dx[base + t] = scale * dy[base + t];
        }
      }
    }
    return dx;
  };

  /* ---------------------------------------------------------------- network */

  var LAYERS = {conv: Conv, maxpool: Pool, avgpool: Pool, sigmoid: Activation, relu: Activation, tanh: Activation,
                flatten: Flatten, linear: Linear, bn: BatchNorm};

  function lenetSpec(act, pool, bn) {
    var layers = [], pad = bn ? 0 : 2, side = bn ? 4 : 5;
    function block(layer, channels) {
      layers.push(layer);
      if (bn) layers.push({type: 'bn', c: channels});
      layers.push({type: act});
    }
    block({type: 'conv', 'in': 1, out: 6, k: 5, p: pad}, 6);
    layers.push({type: pool, k: 2, s: 2});
    block({type: 'conv', 'in': 6, out: 16, k: 5}, 16);
    layers.push({type: pool, k: 2, s: 2});
    layers.push({type: 'flatten'});
    block({type: 'linear', 'in': 16 * side * side, out: 120}, 120);
    block({type: 'linear', 'in': 120, out: 84}, 84);
    layers.push({type: 'linear', 'in': 84, out: 10});
    return {input: [1, 28, 28], layers: layers};
  }

  /* The book's LeNets, layer for layer as d2lcnn.lenet() and d2lcnn.lenet_bn() build them. */
  var PRESETS = {
    'lenet-sigmoid': lenetSpec('sigmoid', 'avgpool', false),
    'lenet-relu': lenetSpec('relu', 'maxpool', false),
    'lenet-bn': lenetSpec('sigmoid', 'avgpool', true)
  };

  function Network(spec, options) {
    options = options || {};
    if (typeof spec === 'string') {
      if (!PRESETS[spec]) throw new Error('unknown preset ' + JSON.stringify(spec) + ': use one of ' + Object.keys(PRESETS).join(', '));
      spec = PRESETS[spec];
    }
    var A = options.float32 ? Float32Array : Float64Array, shape = spec.input.slice();
    this.spec = spec;
    this.A = A;
    this.inShape = shape;
    this.layers = spec.layers.map(function (layerSpec, index) {
      var Layer = LAYERS[layerSpec.type];
      if (!Layer) throw new Error('layer ' + index + ': unknown type ' + JSON.stringify(layerSpec.type) + ' (use one of ' + Object.keys(LAYERS).join(', ') + ')');
      var layer = new Layer(layerSpec, shape, A);
      layer.type = layerSpec.type;
      shape = layer.outShape;
      return layer;
    });
    this.classes = shape[0] * shape[1] * shape[2];
    this.params = [];
    for (var l = 0; l < this.layers.length; l++) this.params = this.params.concat(this.layers[l].params);
    this.inputSize = spec.input[0] * spec.input[1] * spec.input[2];
    this.dlogits = null;
  }
  /* Logits (n x classes) of n examples x (a typed array, n x C x H x W). training: batch norm uses
     and updates batch statistics (net.train() in torch); otherwise eval mode. */
  Network.prototype.forward = function (x, n, training) {
    if (x.length < n * this.inputSize) throw new Error('forward: ' + n + ' examples need ' + n * this.inputSize + ' input values, got ' + x.length);
    for (var l = 0; l < this.layers.length; l++) x = this.layers[l].forward(x, n, training);
    return x;
  };
  /* Back from dlogits through every layer, accumulating parameter gradients; returns d(input) when
     needInputGrad (tests), else skips the first layer's input gradient. */
  Network.prototype.backward = function (dlogits, n, needInputGrad) {
    var g = dlogits;
    for (var l = this.layers.length - 1; l >= 0; l--) g = this.layers[l].backward(g, n, l > 0 || !!needInputGrad);
    return g;
  };
  Network.prototype.zeroGrad = function () {
    for (var p = 0; p < this.params.length; p++) this.params[p].grad.fill(0);
  };
  /* nn.CrossEntropyLoss (mean over the batch) of the logits; fills this.dlogits = d(loss)/d(logits)
     and returns {loss, correct}, correct counting argmax hits. */
  Network.prototype.loss = function (logits, labels, n) {
    var K = this.classes, total = 0, correct = 0;
    if (!this.dlogits || this.dlogits.length !== n * K) this.dlogits = new this.A(n * K);
    var d = this.dlogits;
    for (var ex = 0; ex < n; ex++) {
      var base = ex * K, top = -Infinity, arg = 0, k, sum = 0, label = labels[ex];
      if (!(label >= 0 && label < K)) throw new Error('label ' + label + ' is not a class of this network (0 to ' + (K - 1) + ')');
      for (k = 0; k < K; k++) if (logits[base + k] > top) { top = logits[base + k]; arg = k; }
      if (arg === label) correct++;
      for (k = 0; k < K; k++) sum += Math.exp(logits[base + k] - top);
      var logSum = Math.log(sum) + top;
      total += logSum - logits[base + label];
      for (k = 0; k < K; k++) d[base + k] = Math.exp(logits[base + k] - logSum) / n;
      d[base + label] -= 1 / n;
    }
    return {loss: total / n, correct: correct};
  };
  /* One training step as train_ch6 takes it: zero the gradients, forward in training mode, the
     loss, backward, optimizer.step(). Returns {loss, correct}. */
  Network.prototype.trainStep = function (x, labels, n, optimizer) {
    this.zeroGrad();
    var result = this.loss(this.forward(x, n, true), labels, n);
    this.backward(this.dlogits, n, false);
    optimizer.step();
    return result;
  };
  /* Initialise as the chapters do: every conv and linear weight by method ('xavier': train_ch6's
     Xavier uniform; 'kaiming': Kaiming uniform for ReLU; 'default': what nn.Conv2d/nn.Linear start
     with, Kaiming uniform with a = sqrt(5), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in))); biases always
     as torch starts them, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (init_weights leaves them alone);
     batch norm's gamma 1, beta 0 and running statistics 0 and 1. */
  Network.prototype.init = function (method, random) {
    if (['xavier', 'kaiming', 'default'].indexOf(method) < 0) throw new Error('unknown init ' + JSON.stringify(method) + ": use 'xavier', 'kaiming' or 'default'");
    if (typeof random !== 'function') random = makeRng(random || 0);
    this.layers.forEach(function (layer) {
      if (layer.type === 'bn') { layer.reset(); return; }
      if (!layer.weight) return;
      var bound = method === 'xavier' ? Math.sqrt(6 / (layer.fanIn + layer.fanOut))
        : method === 'kaiming' ? Math.sqrt(6 / layer.fanIn) : 1 / Math.sqrt(layer.fanIn);
      var t, w = layer.weight.data, b = layer.bias.data, biasBound = 1 / Math.sqrt(layer.fanIn);
      for (t = 0; t < w.length; t++) w[t] = (2 * random() - 1) * bound;
      for (t = 0; t < b.length; t++) b[t] = (2 * random() - 1) * biasBound;
    });
  };
  /* Every parameter as a plain array, in torch's net.parameters() order (layer by layer: weight,
     bias); setWeights takes the same list. buffers(): batch norm's running mean and variance per
     batch-norm layer, in layer order, as torch's state_dict holds them. */
  Network.prototype.getWeights = function () {
    return this.params.map(function (p) { return Array.prototype.slice.call(p.data); });
  };
  Network.prototype.setWeights = function (arrays) {
    if (arrays.length !== this.params.length) throw new Error('setWeights: this network has ' + this.params.length + ' parameter tensors, got ' + arrays.length);
    for (var p = 0; p < arrays.length; p++) {
      if (arrays[p].length !== this.params[p].data.length) throw new Error('setWeights: parameter ' + p + ' holds ' + this.params[p].data.length + ' numbers, got ' + arrays[p].length);
      this.params[p].data.set(arrays[p]);
    }
  };
  Network.prototype.getGrads = function () {
    return this.params.map(function (p) { return Array.prototype.slice.call(p.grad); });
  };
  Network.prototype.buffers = function () {
    return this.layers.filter(function (l) { return l.type === 'bn'; }).map(function (l) {
      return {mean: Array.prototype.slice.call(l.runningMean), 'var': Array.prototype.slice.call(l.runningVar)};
    });
  };
  Network.prototype.setBuffers = function (list) {
    var bns = this.layers.filter(function (l) { return l.type === 'bn'; });
    for (var b = 0; b < bns.length; b++) { bns[b].runningMean.set(list[b].mean); bns[b].runningVar.set(list[b]['var']); }
  };

  /* Batch-norm recalibration, as d2lcnn.recalibrate_bn does it in torch (chapter 11): forward each
     batch in training mode with momentum 1 / (k + 1) for the k-th batch (k from 0), so that every
     batch-norm layer's running mean and variance end as the plain average of the batches' means and
     unbiased variances, the weights untouched. batches: a list of {x, n} (x as forward() takes it).
     Changes this network's running statistics and returns buffers(); the momenta are restored. */
  Network.prototype.recalibrate = function (batches) {
    var bns = this.layers.filter(function (l) { return l.type === 'bn'; });
    var momenta = bns.map(function (l) { return l.momentum; });
    if (!batches.length) throw new Error('recalibrate needs at least one batch');
    try {
      for (var k = 0; k < batches.length; k++) {
        for (var b = 0; b < bns.length; b++) bns[b].momentum = 1 / (k + 1);
        this.forward(batches[k].x, batches[k].n, true);
      }
    } finally {
      for (var r = 0; r < bns.length; r++) bns[r].momentum = momenta[r];
    }
    return this.buffers();
  };

  /* ------------------------------------------------------------- optimizers */

  /* 'sgd' is train_ch6's torch.optim.SGD(params, lr): p -= lr * grad, nothing else - the notes'
     recipe. 'momentum' (torch's SGD with momentum, default 0.9: v = mu * v + grad, p -= lr * v) and
     'adam' (torch's Adam, betas 0.9 and 0.999, eps 1e-8, bias-corrected) are NOT the notes' recipe:
     they are there to compare with it. */
  var OPTIMIZERS = ['sgd', 'momentum', 'adam'];
  function Optimizer(name, params, settings) {
    if (OPTIMIZERS.indexOf(name) < 0) throw new Error('unknown optimizer ' + JSON.stringify(name) + ': use one of ' + OPTIMIZERS.join(', '));
    settings = settings || {};
    if (!(settings.lr > 0)) throw new Error('lr must be a positive number, got ' + settings.lr);
    this.name = name; this.params = params; this.lr = settings.lr;
    this.momentum = settings.momentum === undefined ? 0.9 : settings.momentum;
    this.beta1 = 0.9; this.beta2 = 0.999; this.eps = 1e-8; this.t = 0;
    this.m = params.map(function (p) { return new Float64Array(p.data.length); });
    this.v = params.map(function (p) { return new Float64Array(p.data.length); });
  }
  Optimizer.prototype.step = function () {
    var lr = this.lr, P = this.params, p, i, data, grad;
    this.t++;
    if (this.name === 'sgd') {
      for (p = 0; p < P.length; p++) {
        data = P[p].data; grad = P[p].grad;
        for (i = 0; i < data.length; i++) data[i] -= lr * grad[i];
      }
    } else if (this.name === 'momentum') {
      var mu = this.momentum, first = this.t === 1;
      for (p = 0; p < P.length; p++) {
        data = P[p].data; grad = P[p].grad; var buf = this.m[p];
        for (i = 0; i < data.length; i++) { buf[i] = first ? grad[i] : mu * buf[i] + grad[i]; data[i] -= lr * buf[i]; }
      }
    } else {
      var b1 = this.beta1, b2 = this.beta2, c1 = 1 - Math.pow(b1, this.t), c2 = Math.sqrt(1 - Math.pow(b2, this.t));
      var stepSize = lr / c1, eps = this.eps;
      for (p = 0; p < P.length; p++) {
        data = P[p].data; grad = P[p].grad; var m = this.m[p], v = this.v[p];
        for (i = 0; i < data.length; i++) {
          var g = grad[i];
          m[i] = b1 * m[i] + (1 - b1) * g;
          v[i] = b2 * v[i] + (1 - b2) * g * g;
          data[i] -= stepSize * m[i] / (Math.sqrt(v[i]) / c2 + eps);
        }
      }
    }
  };

  /* ------------------------------------------------------------ randomness */

  /* mulberry32: a small seeded generator, so a run can be repeated (not torch's generator: a test
     that compares with torch passes torch's initial weights in). */
  function makeRng(seed) {
    var state = seed >>> 0;
    return function () {
      state = (state + 0x6D2B79F5) >>> 0;
      var z = state;
      z = Math.imul(z ^ (z >>> 15), z | 1);
      z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
      return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
    };
  }

  /* ---------------------------------------------------------------- trainer */

  /* A training loop over uint8 images (28 x 28, N x 784) that can be run a few batches at a time:
       settings  preset, lr, batchSize, optimizer, init, seed, float32, momentum
       data      {train: {images: Uint8Array, labels: Uint8Array}, test: {images, labels}}
     Each epoch visits the training images in a new random order (the last, shorter batch
     included, as a DataLoader without drop_last does). run(k) trains k batches and returns the
     metrics of those batches; evaluate() returns test accuracy in eval mode; recalibrate(count)
     recomputes batch norm's statistics from training batches (see Network.recalibrate). */
  function Trainer(settings, data) {
    settings = settings || {};
    this.settings = settings;
    this.random = makeRng(settings.seed === undefined ? 0 : settings.seed);
    this.net = new Network(settings.preset || 'lenet-relu', {float32: settings.float32});
    this.net.init(settings.init || 'xavier', this.random);
    this.optimizer = new Optimizer(settings.optimizer || 'sgd', this.net.params,
                                   {lr: settings.lr === undefined ? 0.9 : settings.lr, momentum: settings.momentum});
    this.batchSize = settings.batchSize || 256;
    this.data = data;
    this.count = data.train.labels.length;
    this.order = new Int32Array(this.count);
    for (var i = 0; i < this.count; i++) this.order[i] = i;
    this.cursor = this.count;  /* start a new epoch on the first batch */
    this.epoch = 0;
    this.seen = 0;
    this.x = new this.net.A(this.batchSize * 784);
    this.y = new Int32Array(this.batchSize);
    this.recalibrationRandom = makeRng((settings.seed === undefined ? 0 : settings.seed) + 0x9E3779B9);
    this.recalibrationBatches = 40;
    this.recalibrated = null; this.recalibratedAt = -1;
  }
  Trainer.prototype.shuffle = function () {
    var order = this.order, random = this.random;
    for (var i = order.length - 1; i > 0; i--) {
      var j = Math.floor(random() * (i + 1)), t = order[i];
      order[i] = order[j]; order[j] = t;
    }
    this.cursor = 0;
    this.epoch++;
  };
  /* Train k batches; returns {loss, acc, examples, epoch} over those batches, epoch the fraction of
     epochs done so far. */
  Trainer.prototype.run = function (k) {
    var images = this.data.train.images, labels = this.data.train.labels, loss = 0, correct = 0, examples = 0;
    for (var b = 0; b < k; b++) {
      if (this.cursor >= this.count) this.shuffle();
      var n = Math.min(this.batchSize, this.count - this.cursor), x = this.x, y = this.y;
      for (var e = 0; e < n; e++) {
        var idx = this.order[this.cursor + e], src = idx * 784, dst = e * 784;
        for (var p = 0; p < 784; p++) x[dst + p] = images[src + p] / 255;
        y[e] = labels[idx];
      }
      this.cursor += n;
      var result = this.net.trainStep(x, y, n, this.optimizer);
      loss += result.loss * n; correct += result.correct; examples += n;
    }
    this.seen += examples;
    return {loss: loss / examples, acc: correct / examples, examples: examples,
            epoch: this.epoch - 1 + this.cursor / this.count};
  };
  /* Accuracy on (the first `limit` of) a split in eval mode, with batch norm's moving averages; with
     options.recalibrated, also {recalibratedAcc} with the statistics of recalibrate() (made now if
     the weights changed since the last one). A network without batch norm gives the same number twice. */
  Trainer.prototype.evaluate = function (split, limit, options) {
    split = split || this.data.test;
    var acc = this.accuracy(split, limit);
    if (!(options && options.recalibrated)) return acc;
    if (this.recalibratedAt !== this.seen) this.recalibrate(this.recalibrationBatches);
    var moving = this.net.buffers();
    this.net.setBuffers(this.recalibrated);
    var recalibratedAcc = this.accuracy(split, limit);
    this.net.setBuffers(moving);
    return {acc: acc, recalibratedAcc: recalibratedAcc};
  };
  Trainer.prototype.accuracy = function (split, limit) {
    var total = Math.min(limit || split.labels.length, split.labels.length), correct = 0, chunk = this.batchSize;
    var x = this.x, y = this.y;  /* in batches of the training batch size: the layers keep their buffers */
    for (var start = 0; start < total; start += chunk) {
      var n = Math.min(chunk, total - start);
      for (var e = 0; e < n; e++) {
        for (var p = 0; p < 784; p++) x[e * 784 + p] = split.images[(start + e) * 784 + p] / 255;
        y[e] = split.labels[start + e];
      }
      correct += this.net.loss(this.net.forward(x, n, false), y, n).correct;
    }
    return correct / total;
  };
  /* Recalibrated batch-norm statistics for the current weights from `count` (default 40, as
     recalibrate_bn's) training batches of the training batch size, drawn at random by a generator
     of their own (so training goes on exactly as without it). The network keeps its moving
     averages; the recalibrated statistics are kept in this.recalibrated and returned. */
  Trainer.prototype.recalibrate = function (count) {
    count = count || 40;
    this.recalibrationBatches = count;
    var images = this.data.train.images, random = this.recalibrationRandom, size = this.batchSize, batches = [];
    for (var b = 0; b < count; b++) {
      var x = new this.net.A(size * 784);
      for (var e = 0; e < size; e++) {
        var src = Math.floor(random() * this.count) * 784;
        for (var p = 0; p < 784; p++) x[e * 784 + p] = images[src + p] / 255;
      }
      batches.push({x: x, n: size});
    }
    var moving = this.net.buffers();
    this.recalibrated = this.net.recalibrate(batches);
    this.net.setBuffers(moving);
    this.recalibratedAt = this.seen;
    return this.recalibrated;
  };

  var api = {
    PRESETS: PRESETS,
    OPTIMIZERS: OPTIMIZERS,
    network: function (spec, options) { return new Network(spec, options); },
    optimizer: function (name, params, settings) { return new Optimizer(name, params, settings); },
    trainer: function (settings, data) { return new Trainer(settings, data); },
    rng: makeRng,
    Network: Network,
    /* This whole engine as source text, to start a Web Worker from a Blob (works from file://,
       where new Worker(url) is refused). */
    source: function () { return d2lcnnTrainEngine.toString(); }
  };
  if (global) global.d2lcnnTrain = api;
  return api;
}
d2lcnnTrainEngine(typeof self !== 'undefined' ? self : this);
