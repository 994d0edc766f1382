/* d2lcnn trainer view: the small script every trainer carries inline (d2lcnn/widgets/trainer_boot.js).

   It does only what must work before the reader asks for training: the language, the prediction of an
   experiment (Train stays disabled until one is chosen), the Train button and the handle root.d2lcnn.
   Everything else (the training engine train.js, its Web Worker client train_worker.js, the view
   trainer.js and the data) is loaded on the first press of Train or the first call of the handle:
     - on the book's website from the files the build put under _static (the root's data-lib and
       data-data attributes, d2lcnn/widgets/site.py), added as <script> elements (they work from
       file://, where fetch is refused);
     - in a live notebook from the inert text/plain scripts .d2t-engine and .d2t-train-data that
       train_in_browser wrote (the reader's own data), run the same way.
   Without either (a saved notebook output, a page without scripts' files) it says so in one line and
   names d2lcnn.train_ch6. Plain ES5; it defines nothing global but window.d2lcnnTrainerBoot. */
(function () {
  var script = document.currentScript;
  if (!window.d2lcnnTrainerBoot) window.d2lcnnTrainerBoot = createBoot();
  var parent = script && script.parentNode;
  if (parent && parent.getAttribute && parent.getAttribute('data-d2t')) window.d2lcnnTrainerBoot.boot(parent);
  else window.d2lcnnTrainerBoot.bootAll();

  function createBoot() {
    function data(root) {
      if (!root.d2tData) root.d2tData = JSON.parse(root.querySelector('script.d2t-data').textContent);
      return root.d2tData;
    }
    function say(root, key) {
      var d = data(root), lang = root.getAttribute('data-lang');
      return (d.L[lang] || d.L.en)[key];
    }
    function loadScript(src) {
      return new Promise(function (resolve, reject) {
        var element = document.createElement('script');
        element.onload = resolve;
        element.onerror = function () { reject(new Error('the file did not load: ' + src)); };
        element.setAttribute('src', src);
        document.head.appendChild(element);
      });
    }
    /* Run script text; an inert copy (trainer.py's _inert) gets its two escapes undone first. */
    function runText(text) {
      var element = document.createElement('script');
      element.text = text.replace(/<\\\/(script)/gi, '<\/$1').replace(/<\\!--/g, '<!--');
      document.head.appendChild(element);
    }
    /* Where the engine and the data come from; null when this page has neither. */
    function sources(root) {
      var engine = root.querySelector('script.d2t-engine'), train = root.querySelector('script.d2t-train-data');
      var lib = root.getAttribute('data-lib'), dataSrc = root.getAttribute('data-data');
      if (!(engine || lib || window.d2lcnnTrainer) || !(train || dataSrc || window.d2lcnnTrainData)) return null;
      return {engine: engine, lib: lib, train: train, dataSrc: dataSrc};
    }
    /* Load what training needs (once per page) and start the view (once per root). */
    function ensure(root) {
      if (root.d2tStarting) return root.d2tStarting;
      var from = sources(root);
      if (!from) return Promise.reject(new Error(say(root, 'tr_nodata')));
      var libReady = window.d2lcnnTrainer ? Promise.resolve()
        : from.engine ? new Promise(function (resolve) { runText(from.engine.textContent); resolve(); })
        : (window.d2lcnnTrainerLoading = window.d2lcnnTrainerLoading || loadScript(from.lib));
      root.d2tStarting = libReady.then(function () {
        if (!window.d2lcnnTrainer) throw new Error('the training engine did not define d2lcnnTrainer');
        return window.d2lcnnTrainer.start(root, function () {
          if (window.d2lcnnTrainData) return Promise.resolve(window.d2lcnnTrainData);
          if (from.train) { runText(from.train.textContent); return Promise.resolve(window.d2lcnnTrainData); }
          window.d2lcnnTrainDataLoading = window.d2lcnnTrainDataLoading || loadScript(from.dataSrc);
          return window.d2lcnnTrainDataLoading.then(function () { return window.d2lcnnTrainData; });
        });
      });
      root.d2tStarting.then(null, function (error) {
        root.d2tStarting = null;
        var status = root.querySelector('.d2t-status');
        status.textContent = say(root, 'tr_failed').replace('{why}', String(error && error.message || error));
      });
      return root.d2tStarting;
    }
    function relabel(root) {
      var d = data(root), lang = root.getAttribute('data-lang');
      root.setAttribute('aria-label', d.L[lang].tr_title);
      var plots = root.querySelector('.d2t-plots');
      if (plots) plots.setAttribute('aria-label', d.L[lang].tr_curves);
    }
    function boot(root) {
      if (root.getAttribute('data-booted')) return;
      root.setAttribute('data-booted', '1');
      if (root.getAttribute('data-auto')) {
        var pageLang = (document.documentElement.lang || '').toLowerCase();
        root.setAttribute('data-lang', pageLang.indexOf('zh') === 0 ? 'zh' : 'en');
      }
      relabel(root);
      var train = root.querySelector('[data-a=train]'), exp = root.getAttribute('data-exp');
      var note = root.querySelector('.d2t-static');
      root.querySelector('[data-a=lang]').addEventListener('click', function () {
        root.setAttribute('data-lang', root.getAttribute('data-lang') === 'zh' ? 'en' : 'zh');
        relabel(root);
        if (root.d2tView) root.d2tView.relabel();
      });
      if (!sources(root)) {
        /* Nothing to train with here: one clear line, and the Python way. */
        note.innerHTML = '<span lang="en"><\/span><span lang="zh"><\/span>';
        note.children[0].textContent = data(root).L.en.tr_nodata;
        note.children[1].textContent = data(root).L.zh.tr_nodata;
      } else {
        note.hidden = true;
      }
      root.d2tPrediction = null;
      var radios = root.querySelectorAll('.d2t-predict input[type=radio]');
      for (var n = 0; n < radios.length; n++) {
        radios[n].addEventListener('change', function (event) {
          choose(root, +event.target.value);
        });
      }
      train.disabled = !sources(root) || !!exp;
      train.addEventListener('click', function () {
        ensure(root).then(function (view) { view.train(); }, function () {});
      });
      var lazy = {};
      ['set', 'run', 'pause', 'reset', 'metrics', 'weights', 'evaluate'].forEach(function (name) {
        lazy[name] = function () {
          var args = arguments;
          return ensure(root).then(function (view) { return view.handle[name].apply(null, args); });
        };
      });
      lazy.predict = function (i) { choose(root, i); return Promise.resolve(i); };
      root.d2lcnn = lazy;
    }
    function choose(root, i) {
      var radios = root.querySelectorAll('.d2t-predict input[type=radio]');
      if (!(i >= 0 && i < radios.length)) throw new Error('predict: choose an option from 0 to ' + (radios.length - 1));
      radios[i].checked = true;
      root.d2tPrediction = i;
      var d = data(root), pnote = root.querySelector('.d2t-pnote'), train = root.querySelector('[data-a=train]');
      pnote.innerHTML = '<span lang="en"><\/span><span lang="zh"><\/span>';
      pnote.children[0].textContent = d.L.en.tr_chosen.replace('{name}', d.exp.choices[i].label.en);
      pnote.children[1].textContent = d.L.zh.tr_chosen.replace('{name}', d.exp.choices[i].label.zh);
      if (sources(root) && !root.d2tBusy) train.disabled = false;
      if (root.d2tView) root.d2tView.predicted(i);
    }
    function bootAll() {
      var roots = document.querySelectorAll('[data-d2t]');
      for (var n = 0; n < roots.length; n++) boot(roots[n]);
    }
    return {boot: boot, bootAll: bootAll, ensure: ensure, loadScript: loadScript};
  }
})();
