/* d2lcnn training engine (d2lcnn/widgets/train.js): LeNet learns in the reader's browser.

   Forward AND backward passes of the layers the book's LeNets use, the optimizers and the weight
   initialisations of the chapters, and a small training loop, on typed arrays. Plain ES5 plus
   typed arrays and no DOM access anywhere, so the same text runs in a page, in a Web Worker and in
   any notebook front end.

   Why a second forward pass beside stepper.js's forward() (the look-inside view): that one is
   built on the steppers' run(), which computes one output cell at a time through a state object,
   with dilation, per-cell bounds checks and boxed JS arrays, because each of its cells has to be
   explained step by step. Measured side by side in one Chromium page (tests/test_train_engine.py
   prints both) it does about 100-180 LeNet forward passes a second where this engine does 440-500,
   and training needs a backward pass on top (about twice a forward's work) for every example.
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

  /* nn.Conv2d without dilation or groups. The input is first copied into a zero-padded plane per
     channel (Hp x Wp, plus kw spare cells so the last row's reads stay inside). With stride 1 every
     output row is computed "wide", Wp cells long, of which the last Wp - Wo are never used: then one
     weight times one input plane is a single loop over Ho * Wp consecutive cells,
     y[t] += w * x[t + a * Wp + b], which V8 compiles to a tight loop; the valid Wo columns of each
     row are copied out afterwards. Other strides use a plain row-by-row loop. */
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
    this.plane = this.hp * this.wp + this.kw;  /* a padded input plane with spare cells */
    this.wide = this.sh === 1 && this.sw === 1;
    /* Both LeNet convolutions: stride 1 and kernel rows 5 wide, the rows unrolled (forward5). */
    this.five = this.wide && this.kw === 5;
    this.margin = (this.kh - 1) * this.wp + this.kw - 1;
    this.outShape = [this.co, this.ho, this.wo];
    this.fanIn = this.ci * this.kh * this.kw; this.fanOut = this.co * this.kh * this.kw;
    var size = this.co * this.fanIn;
    this.weight = {name: 'weight', shape: [this.co, this.ci, this.kh, this.kw], data: new A(size), grad: new A(size)};
    this.bias = {name: 'bias', shape: [this.co], data: new A(this.co), grad: new A(this.co)};
    this.params = [this.weight, this.bias];
    this.A = A; this.n = -1;
  }
  Conv.prototype.alloc = function (n) {
    if (this.n === n) return;
    var A = this.A;
    this.n = n;
    this.xp = new A(n * this.ci * this.plane);
    this.dxp = new A(n * this.ci * this.plane);
    this.y = new A(n * this.co * this.ho * this.wo);
    this.dx = new A(n * this.ci * this.h * this.w);
    this.yw = new A(this.co * this.ho * this.wp);  /* one example's wide output */
    this.gw = new A(this.co * this.ho * this.wp);  /* one example's wide gradient: its unused columns stay 0 */
    /* backward5's wide gradient per output channel, with margin zeros before and after it */
    this.gm = this.five ? new A(this.co * (this.margin + this.plane)) : null;
  };
  Conv.prototype.pad = function (x, n) {
    var xp = this.xp, h = this.h, w = this.w, wp = this.wp, planes = n * this.ci;
    for (var q = 0; q < planes; q++) {
      var src = q * h * w, dst = q * this.plane + this.ph * wp + this.pw;
      for (var i = 0; i < h; i++) {
        var si = src + i * w, di = dst + i * wp;
        for (var j = 0; j < w; j++) xp[di + j] = x[si + j];
      }
    }
  };
  Conv.prototype.forward = function (x, n) {
    this.alloc(n);
    this.pad(x, n);
    if (this.five) return this.forward5(n);
    var xp = this.xp, y = this.y, W = this.weight.data, B = this.bias.data;
    var ci = this.ci, co = this.co, kh = this.kh, kw = this.kw, wp = this.wp, ho = this.ho, wo = this.wo;
    var plane = this.plane, outPlane = ho * wo, t, i, j, a, b, c, o, ex;
    if (this.wide) {
      var yw = this.yw, widePlane = ho * wp;
      for (ex = 0; ex < n; ex++) {
        var xe = ex * ci * plane;
        for (o = 0; o < co; o++) {
          var yo = o * widePlane, bias = B[o];
          for (t = 0; t < widePlane; t++) yw[yo + t] = bias;
          for (c = 0; c < ci; c++) {
            var xc = xe + c * plane, wk = (o * ci + c) * kh * kw;
            for (a = 0; a < kh; a++) {
              for (b = 0; b < kw; b++) {
                var wv = W[wk + a * kw + b], off = xc + a * wp + b;
                for (t = 0; t < widePlane; t++) yw[yo + t] += wv * xp[off + t];
              }
            }
          }
          var ye = (ex * co + o) * outPlane;
          for (i = 0; i < ho; i++) {
            for (j = 0; j < wo; j++) y[ye + i * wo + j] = yw[yo + i * wp + j];
          }
        }
      }
    } else {
      var sh = this.sh, sw = this.sw;
      for (ex = 0; ex < n; ex++) {
        for (o = 0; o < co; o++) {
          var yb = (ex * co + o) * outPlane;
          for (t = 0; t < outPlane; t++) y[yb + t] = B[o];
          for (c = 0; c < ci; c++) {
            var xb = (ex * ci + c) * plane, wb = (o * ci + c) * kh * kw;
            for (a = 0; a < kh; a++) {
              for (b = 0; b < kw; b++) {
                var v = W[wb + a * kw + b];
                for (i = 0; i < ho; i++) {
                  var xr = xb + (i * sh + a) * wp + b, yr = yb + i * wo;
                  for (j = 0; j < wo; j++) y[yr + j] += v * xp[xr + j * sw];
                }
              }
            }
          }
        }
      }
    }
    return y;
  };
  /* The same arithmetic as the wide loop of forward(), one kernel row (5 weights, held in local
     variables) per pass over the plane: each output cell is loaded and stored once per row instead
     of once per weight. With backward5, about 2.2 times the examples/s of the plain wide loops
     (ReLU LeNet in node, CPU time: 288 against 132 per second). */
  Conv.prototype.forward5 = function (n) {
    var xp = this.xp, y = this.y, yw = this.yw, W = this.weight.data, B = this.bias.data;
    var ci = this.ci, co = this.co, kh = this.kh, wp = this.wp, ho = this.ho, wo = this.wo;
    var plane = this.plane, widePlane = ho * wp, outPlane = ho * wo, t, i, j;
    for (var ex = 0; ex < n; ex++) {
      var xe = ex * ci * plane;
      for (var o = 0; o < co; o++) {
        var yo = o * widePlane, bias = B[o];
        for (t = 0; t < widePlane; t++) yw[yo + t] = bias;
        for (var c = 0; c < ci; c++) {
          for (var a = 0; a < kh; a++) {
            var k = ((o * ci + c) * kh + a) * 5, off = xe + c * plane + a * wp - yo;
            var w0 = W[k], w1 = W[k + 1], w2 = W[k + 2], w3 = W[k + 3], w4 = W[k + 4];
            for (t = yo; t < yo + widePlane; t++) {
              var q = off + t;
              yw[t] += w0 * xp[q] + w1 * xp[q + 1] + w2 * xp[q + 2] + w3 * xp[q + 3] + w4 * xp[q + 4];
            }
          }
        }
        var ye = (ex * co + o) * outPlane;
        for (i = 0; i < ho; i++) for (j = 0; j < wo; j++) y[ye + i * wo + j] = yw[yo + i * wp + j];
      }
    }
    return y;
  };
  /* backward() for forward5's layers. dW: five running sums per kernel row in one pass over the
     plane (independent sums, so the additions do not wait on each other). dx: written as a
     correlation of the gradient with the kernel, dxp[u] += sum_b w[a][b] * g[u - a * wp - b], so
     each input cell is loaded and stored once per row; g sits after margin zeros (gm) so that
     u - a * wp - b never leaves it. */
  Conv.prototype.backward5 = function (dy, n, needDx) {
    var xp = this.xp, dxp = this.dxp, gm = this.gm, W = this.weight.data, dW = this.weight.grad, dB = this.bias.grad;
    var ci = this.ci, co = this.co, kh = this.kh, wp = this.wp, ho = this.ho, wo = this.wo, margin = this.margin;
    var plane = this.plane, widePlane = ho * wp, outPlane = ho * wo, span = margin + plane, padded = this.hp * wp;
    var t, i, j, o, c, a, k;
    for (var ex = 0; ex < n; ex++) {
      var xe = ex * ci * plane;
      for (o = 0; o < co; o++) {
        var go = o * span + margin, ye = (ex * co + o) * outPlane, sum = 0;
        for (i = 0; i < ho; i++) {
          for (j = 0; j < wo; j++) { var g = dy[ye + i * wo + j]; gm[go + i * wp + j] = g; sum += g; }
        }
        dB[o] += sum;
        for (c = 0; c < ci; c++) {
          for (a = 0; a < kh; a++) {
            var off = xe + c * plane + a * wp - go, s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0;
            for (t = go; t < go + widePlane; t++) {
              var gv = gm[t], q = off + t;
              s0 += gv * xp[q]; s1 += gv * xp[q + 1]; s2 += gv * xp[q + 2]; s3 += gv * xp[q + 3]; s4 += gv * xp[q + 4];
            }
            k = ((o * ci + c) * kh + a) * 5;
            dW[k] += s0; dW[k + 1] += s1; dW[k + 2] += s2; dW[k + 3] += s3; dW[k + 4] += s4;
          }
        }
      }
      if (!needDx) continue;
      for (c = 0; c < ci; c++) {
        var xc = xe + c * plane;
        for (o = 0; o < co; o++) {
          for (a = 0; a < kh; a++) {
            k = ((o * ci + c) * kh + a) * 5;
            var w0 = W[k], w1 = W[k + 1], w2 = W[k + 2], w3 = W[k + 3], w4 = W[k + 4];
            var shift = o * span + margin - a * wp - xc;
            for (var u = xc; u < xc + padded; u++) {
              var r = shift + u;
              dxp[u] += w0 * gm[r] + w1 * gm[r - 1] + w2 * gm[r - 2] + w3 * gm[r - 3] + w4 * gm[r - 4];
            }
          }
        }
      }
    }
  };

  /* dW[o,c,a,b] = sum over examples and output cells of dy * the input under it; db[o] = sum of dy;
     dx = every output cell's gradient spread back over its window (into the padded plane, then
     cropped). Gradients accumulate into .grad, as torch's do, until zeroGrad(). */
  Conv.prototype.backward = function (dy, n, needDx) {
    var xp = this.xp, dxp = this.dxp, W = this.weight.data, dW = this.weight.grad, dB = this.bias.grad;
    var ci = this.ci, co = this.co, kh = this.kh, kw = this.kw, wp = this.wp, ho = this.ho, wo = this.wo;
    var plane = this.plane, outPlane = ho * wo, t, i, j, a, b, c, o, ex, sum;
    if (needDx) for (t = 0; t < dxp.length; t++) dxp[t] = 0;
    if (this.five) {
      this.backward5(dy, n, needDx);
    } else if (this.wide) {
      var yw = this.gw, widePlane = ho * wp;
      for (ex = 0; ex < n; ex++) {
        var xe = ex * ci * plane;
        for (o = 0; o < co; o++) {
          var yo = o * widePlane, ye = (ex * co + o) * outPlane;
          sum = 0;
          for (i = 0; i < ho; i++) {
            for (j = 0; j < wo; j++) { var g = dy[ye + i * wo + j]; yw[yo + i * wp + j] = g; sum += g; }
          }
          dB[o] += sum;
          for (c = 0; c < ci; c++) {
            var xc = xe + c * plane, wk = (o * ci + c) * kh * kw;
            for (a = 0; a < kh; a++) {
              for (b = 0; b < kw; b++) {
                var off = xc + a * wp + b, acc = 0;
                for (t = 0; t < widePlane; t++) acc += yw[yo + t] * xp[off + t];
                dW[wk + a * kw + b] += acc;
                if (needDx) {
                  var wv = W[wk + a * kw + b];
                  for (t = 0; t < widePlane; t++) dxp[off + t] += wv * yw[yo + t];
                }
              }
            }
          }
        }
      }
    } else {
      var sh = this.sh, sw = this.sw;
      for (ex = 0; ex < n; ex++) {
        for (o = 0; o < co; o++) {
          var yb = (ex * co + o) * outPlane;
          sum = 0;
          for (t = 0; t < outPlane; t++) sum += dy[yb + t];
          dB[o] += sum;
          for (c = 0; c < ci; c++) {
            var xb = (ex * ci + c) * plane, wb = (o * ci + c) * kh * kw;
            for (a = 0; a < kh; a++) {
              for (b = 0; b < kw; b++) {
                var v = W[wb + a * kw + b], s = 0;
                for (i = 0; i < ho; i++) {
                  var xr = xb + (i * sh + a) * wp + b, yr = yb + i * wo;
                  for (j = 0; j < wo; j++) {
                    s += dy[yr + j] * xp[xr + j * sw];
                    if (needDx) dxp[xr + j * sw] += v * dy[yr + j];
                  }
                }
                dW[wb + a * kw + b] += s;
              }
            }
          }
        }
      }
    }
    if (!needDx) return null;
    var dx = this.dx, h = this.h, w = this.w, planes = n * ci;
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

  /* nn.Linear: y = x W^T + b with W of shape out x in; every inner loop runs along a row of W. */
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
  Linear.prototype.forward = function (x, n) {
    this.alloc(n);
    this.x = x;
    var y = this.y, W = this.weight.data, B = this.bias.data, fin = this.fin, fout = this.fout;
    for (var ex = 0; ex < n; ex++) {
      var xb = ex * fin;
      for (var o = 0; o < fout; o++) {
        /* four running sums, so that the additions do not wait on each other */
        var a0 = 0, a1 = 0, a2 = 0, a3 = 0, wb = o * fin, i = 0;
        for (; i + 3 < fin; i += 4) {
          a0 += W[wb + i] * x[xb + i]; a1 += W[wb + i + 1] * x[xb + i + 1];
          a2 += W[wb + i + 2] * x[xb + i + 2]; a3 += W[wb + i + 3] * x[xb + i + 3];
        }
        for (; i < fin; i++) a0 += W[wb + i] * x[xb + i];
        y[ex * fout + o] = B[o] + ((a0 + a1) + (a2 + a3));
      }
    }
    return y;
  };
  Linear.prototype.backward = function (dy, n, needDx) {
    var x = this.x, dx = this.dx, W = this.weight.data, dW = this.weight.grad, dB = this.bias.grad;
    var fin = this.fin, fout = this.fout, i;
    if (needDx) for (i = 0; i < n * fin; i++) dx[i] = 0;
    for (var ex = 0; ex < n; ex++) {
      var xb = ex * fin;
      for (var o = 0; o < fout; o++) {
        var g = dy[ex * fout + o], wb = o * fin;
        if (g === 0) continue;
        dB[o] += g;
        for (i = 0; i < fin; i++) dW[wb + i] += g * x[xb + i];
        if (needDx) for (i = 0; i < fin; i++) dx[xb + i] += g * W[wb + i];
      }
    }
    return needDx ? dx : null;
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
     metrics of those batches; evaluate() returns test accuracy in eval mode. */
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
  /* Accuracy on (the first `limit` of) a split in eval mode (batch norm's moving averages). */
  Trainer.prototype.evaluate = function (split, limit) {
    split = split || this.data.test;
    var total = Math.min(limit || split.labels.length, split.labels.length), correct = 0, chunk = 250;
    var x = new this.net.A(chunk * 784), y = new Int32Array(chunk);
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
