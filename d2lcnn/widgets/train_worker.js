/* d2lcnn trainer off the main thread (d2lcnn/widgets/train_worker.js): a Web Worker that runs
   train.js's training loop, and the page-side client that starts and drives it.

   Load train.js first, then this file (and, for the data, the script tools/make_train_data.py
   writes). The worker is started from a Blob of source text: train.js's engine function and
   d2lcnnTrainWorker below, turned back into text with Function.prototype.toString. So nothing is
   fetched and no worker URL is needed, which is what lets it work when the book is opened from
   disk (file://), where fetch() and new Worker(url) are refused.

   window.d2lcnnTrainClient() returns a client whose methods return Promises:
     load(data)           data = the d2lcnnTrainData object (see tools/make_train_data.py); the
                          worker decodes it -> {train, test} counts
     setup(settings)      a new trainer: preset, lr, batchSize, optimizer, init, seed, float32
                          (train.js's Trainer) -> {params} (parameter count)
     run(batches, onProgress, chunk)  train that many batches, `chunk` (default 4) at a time;
                          after each chunk onProgress({loss, acc, epoch, examples, seen, seconds})
                          with the loss and accuracy of that chunk, `seconds` the worker's
                          training time so far. Resolves with the last progress when done or paused.
     pause()              stop after the chunk being trained (run() then resolves)
     evaluate(limit, options)  test accuracy in eval mode, batch norm's moving averages -> {acc, seconds};
                          options.recalibrated: also with recalibrated batch-norm statistics ->
                          {acc, recalibratedAcc, seconds} (recalibrated now unless recalibrate()
                          ran since the last training step)
     recalibrate(batches) batch norm's statistics recomputed from that many (default 40) training
                          batches, as d2lcnn.recalibrate_bn does; the moving averages stay ->
                          {buffers (the recalibrated ones), seconds}
     images(split, count) the first count decoded images and labels of 'train' or 'test' (tests)
     weights()            {weights: [arrays in torch's parameter order], buffers: batch norm's}
     terminate()
   The worker itself never touches the DOM; it answers one message at a time and yields between
   chunks (setTimeout 0) so that a pause reaches it. */
function d2lcnnTrainWorker(scope) {
  'use strict';
  var T = scope.d2lcnnTrain, data = null, trainer = null, paused = false, trainSeconds = 0;

  function now() { return (scope.performance || Date).now(); }

  /* Undo tools/make_train_data.py. Version 2 (what it writes): base 85 -> gzip stream -> residuals
     sorted by context -> pixels. Version 1 (what it wrote before; still read, so that other writers
     of the old format keep working): base64 -> gzip stream -> Paeth-filtered images (first row and
     column kept) -> pixels. Either way the gzip stream ends with the training and test labels. */
  function decode(payload) {
    if (payload.version !== 1 && payload.version !== 2) throw new Error('unknown training data version ' + payload.version);
    var packed = payload.version === 2 ? base85(payload.bytes, payload.length) : fromBase64(payload.bytes);
    var stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Response(stream).arrayBuffer().then(function (buffer) {
      var bytes = new Uint8Array(buffer), side = payload.side, area = side * side;
      var nTrain = payload.train, nTest = payload.test, pixels = (nTrain + nTest) * area, images;
      if (payload.version === 2) {
        images = unpredict(bytes, payload.contexts, nTrain + nTest, side);
      } else {
        images = bytes.subarray(0, pixels);
        unpaeth(images, nTrain + nTest, side);
      }
      var labels = bytes.subarray(pixels);
      return {train: {images: images.subarray(0, nTrain * area), labels: labels.subarray(0, nTrain)},
              test: {images: images.subarray(nTrain * area), labels: labels.subarray(nTrain, nTrain + nTest)}};
    });
  }
  function fromBase64(text) {
    var binary = scope.atob(text), packed = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) packed[i] = binary.charCodeAt(i);
    return packed;
  }
  function unpaeth(images, count, side) {
    var area = side * side;
    for (var n = 0; n < count; n++) {
      var base = n * area;
      for (var i = 1; i < side; i++) {
        for (var j = 1; j < side; j++) {
          var at = base + i * side + j, a = images[at - 1], b = images[at - side], c = images[at - side - 1];
          var p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
          var prediction = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          images[at] = (images[at] + prediction) & 255;
        }
      }
    }
  }
  /* Five characters (codes 35-126 without 92, the first 85) to four bytes, most significant first. */
  function base85(text, length) {
    var digit = new Uint8Array(128), code, d = 0;
    for (code = 35; code < 127 && d < 85; code++) if (code !== 92) digit[code] = d++;
    var out = new Uint8Array(text.length / 5 * 4);
    for (var i = 0, o = 0; i < text.length; i += 5, o += 4) {
      var v = (((digit[text.charCodeAt(i)] * 85 + digit[text.charCodeAt(i + 1)]) * 85 +
                digit[text.charCodeAt(i + 2)]) * 85 + digit[text.charCodeAt(i + 3)]) * 85 + digit[text.charCodeAt(i + 4)];
      out[o] = v >>> 24; out[o + 1] = (v >>> 16) & 255; out[o + 2] = (v >>> 8) & 255; out[o + 3] = v & 255;
    }
    return out.subarray(0, length);
  }
  /* Pixels in raster order: each one's context (from its decoded neighbours, as the encoder
     computed it) says which group's next residual is its own; pixel = Paeth prediction + residual. */
  function unpredict(residuals, counts, count, side) {
    var area = side * side, images = new Uint8Array(count * area), next = new Int32Array(counts.length), k, at = 0;
    for (k = 0; k < counts.length; k++) { next[k] = at; at += counts[k]; }
    for (var n = 0; n < count; n++) {
      var base = n * area;
      for (var i = 0; i < side; i++) {
        for (var j = 0; j < side; j++) {
          var here = base + i * side + j, up = here - side;
          var a = j > 0 ? images[here - 1] : 0, b = i > 0 ? images[up] : 0;
          var c = i > 0 && j > 0 ? images[up - 1] : 0, d = i > 0 && j < side - 1 ? images[up + 1] : 0;
          var p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
          var prediction = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          var activity = Math.abs(a - c) + Math.abs(b - c) + Math.abs(b - d) + Math.abs(a - b);
          var bright = Math.max(a, b, c, d);
          var context = (activity === 0 ? 0 : Math.min(10, 32 - Math.clz32(activity))) * 4 +
                        (bright < 1 ? 0 : bright < 64 ? 1 : bright < 192 ? 2 : 3);
          images[here] = (residuals[next[context]++] + prediction) & 255;
        }
      }
    }
    return images;
  }

  function reply(id, value) { scope.postMessage({id: id, value: value}); }
  function fail(id, error) { scope.postMessage({id: id, error: String(error && error.message || error)}); }

  function run(id, batches, chunk) {
    var left = batches, last = null;
    paused = false;
    (function next() {
      if (paused || left <= 0) { reply(id, last); return; }
      var k = Math.min(chunk, left), t0 = now();
      try {
        last = trainer.run(k);
      } catch (error) { fail(id, error); return; }
      trainSeconds += (now() - t0) / 1000;
      left -= k;
      last.seen = trainer.seen;
      last.seconds = trainSeconds;
      scope.postMessage({id: id, progress: last});
      setTimeout(next, 0);
    })();
  }

  scope.onmessage = function (event) {
    var m = event.data;
    try {
      if (m.cmd === 'load') {
        decode(m.data).then(function (decoded) {
          data = decoded;
          reply(m.id, {train: data.train.labels.length, test: data.test.labels.length});
        }, function (error) { fail(m.id, error); });
      } else if (m.cmd === 'setup') {
        if (!data) throw new Error('load the data before setup');
        trainer = T.trainer(m.settings, data);
        trainSeconds = 0;
        reply(m.id, {params: trainer.net.params.reduce(function (s, p) { return s + p.data.length; }, 0)});
      } else if (m.cmd === 'run') {
        if (!trainer) throw new Error('setup a trainer before run');
        run(m.id, m.batches, m.chunk || 4);
      } else if (m.cmd === 'pause') {
        paused = true;
        reply(m.id, true);
      } else if (m.cmd === 'evaluate') {
        var t0 = now(), result = trainer.evaluate(data.test, m.limit, m.options);
        if (typeof result === 'number') result = {acc: result};
        result.seconds = (now() - t0) / 1000;
        reply(m.id, result);
      } else if (m.cmd === 'recalibrate') {
        var t1 = now(), buffers = trainer.recalibrate(m.batches);
        reply(m.id, {buffers: buffers, seconds: (now() - t1) / 1000});
      } else if (m.cmd === 'images') {
        var split = data[m.split], area = 784;
        reply(m.id, {images: Array.prototype.slice.call(split.images, 0, m.count * area),
                     labels: Array.prototype.slice.call(split.labels, 0, m.count)});
      } else if (m.cmd === 'weights') {
        reply(m.id, {weights: trainer.net.getWeights(), buffers: trainer.net.buffers()});
      } else {
        throw new Error('unknown command ' + m.cmd);
      }
    } catch (error) { fail(m.id, error); }
  };
}

(function (global) {
  if (typeof global.document === 'undefined') return;  /* inside a worker: nothing to define */
  global.d2lcnnTrainClient = function () {
    var source = '(' + global.d2lcnnTrainEngine.toString() + ')(self);\n(' + d2lcnnTrainWorker.toString() + ')(self);\n';
    var url = URL.createObjectURL(new Blob([source], {type: 'text/javascript'}));
    var worker = new Worker(url), pending = {}, nextId = 1;
    URL.revokeObjectURL(url);
    worker.onmessage = function (event) {
      var m = event.data, entry = pending[m.id];
      if (!entry) return;
      if (m.progress) { if (entry.progress) entry.progress(m.progress); return; }
      delete pending[m.id];
      if (m.error) entry.reject(new Error(m.error)); else entry.resolve(m.value);
    };
    function ask(message, progress) {
      return new Promise(function (resolve, reject) {
        message.id = nextId++;
        pending[message.id] = {resolve: resolve, reject: reject, progress: progress};
        worker.postMessage(message);
      });
    }
    return {
      load: function (data) { return ask({cmd: 'load', data: data}); },
      setup: function (settings) { return ask({cmd: 'setup', settings: settings}); },
      run: function (batches, onProgress, chunk) { return ask({cmd: 'run', batches: batches, chunk: chunk}, onProgress); },
      pause: function () { return ask({cmd: 'pause'}); },
      evaluate: function (limit, options) { return ask({cmd: 'evaluate', limit: limit, options: options}); },
      recalibrate: function (batches) { return ask({cmd: 'recalibrate', batches: batches}); },
      images: function (split, count) { return ask({cmd: 'images', split: split, count: count}); },
      weights: function () { return ask({cmd: 'weights'}); },
      terminate: function () { worker.terminate(); }
    };
  };
})(typeof self !== 'undefined' ? self : this);
