/* d2lcnn check-yourself questions: the one script of every question (d2lcnn/widgets/quiz.js).

   quiz.py embeds this file (comments and indentation removed) in each question's HTML, with
   __ID__ replaced by the question's id, so that a saved output works alone in JupyterLab,
   Jupyter Notebook and Colab. Plain ES5. Every inline copy defines the library only if
   window.d2lcnnQuiz is missing, then boots its own question; the book's website strips the
   inline copies and loads this file once per page (d2lcnn/widgets/site.py), booting every question.

   Booting is cheap (the language, the hint, the tally); a question is wired (its buttons and
   field) when it scrolls near the viewport (IntersectionObserver), at once where there is none,
   or the moment a reader touches it.

   The markup (quiz.py writes it; both languages in it, CSS shows the root's data-lang):
     <div class="d2q d2q-KIND" id="ID" data-lang="en|zh" [data-auto="1"]>  KIND: num | one | pred
       data-auto: follow the page's <html lang> (set once, at boot)
       fieldset > legend                 the question
       input.d2q-in | input[type=radio]  the answer field or the options (value = option index)
       [data-a=check] [data-a=reveal]    the two buttons
       .d2q-fb (aria-live)               right / wrong, written here
       .d2q-why > p[data-o=N|a]          the explanation of option N (or of the numeric answer),
                                         .d2q-ans the numeric answer; removed by the instructor build
       a.d2q-link (data-en, data-zh)     the heading that teaches it; .d2q-tally the chapter's tally
     script.d2q-data, the payload: id, ch (chapter), k (kind), a (the answer: a number, or the
       right option's index), tol (numeric), n (number of options), L ({en, zh} label templates)

   Progress: localStorage['d2lcnn-quiz-v1:' + edition] = {question id: {c: chapter, s: state}},
   state 0 seen, 1 tried (wrong or shown), 2 answered right; edition = the shown language.

   The handle, for tests: root.d2lcnnQuiz = {answer(value), reveal(), state()}. */
(function () {
  var thisScript = document.currentScript;
  if (!window.d2lcnnQuiz) window.d2lcnnQuiz = createLibrary();
  window.d2lcnnQuiz.boot(thisScript, "__ID__");

  function createLibrary() {
    var STORE = 'd2lcnn-quiz-v1:';

    function fill(template, values) {
      return template.replace(/\{(\w+)\}/g, function (whole, key) {
        return values.hasOwnProperty(key) ? String(values[key]) : whole;
      });
    }
    function escapeHtml(text) {
      return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    }
    /* Both languages of a label, as spans; CSS shows the root's one. */
    function both(data, key, values) {
      return '<span lang="en">' + escapeHtml(fill(data.L.en[key], values || {})) + '<\/span>' +
        '<span lang="zh">' + escapeHtml(fill(data.L.zh[key], values || {})) + '<\/span>';
    }

    /* ------------------------------------------------------------ progress */

    /* The store may be missing or refused (a sandboxed output frame, private browsing): then the
       questions work and nothing is remembered. */
    function load(edition) {
      try {
        return JSON.parse(window.localStorage.getItem(STORE + edition) || '{}') || {};
      } catch (e) {
        return {};
      }
    }
    function save(edition, progress) {
      try {
        window.localStorage.setItem(STORE + edition, JSON.stringify(progress));
      } catch (e) { /* not remembered */ }
    }
    function record(root, data, state) {
      var edition = root.getAttribute('data-lang'), progress = load(edition);
      var old = progress[data.id] ? progress[data.id].s : 0;
      progress[data.id] = {c: data.ch, s: Math.max(old, state)};
      save(edition, progress);
      tallies();
    }
    /* Every question of the page shows its chapter's tally: answered right / questions seen. */
    function tallies() {
      var roots = document.querySelectorAll('.d2q[data-booted]');
      for (var n = 0; n < roots.length; n++) {
        var root = roots[n], data = root.d2qData, progress = load(root.getAttribute('data-lang'));
        var right = 0, total = 0;
        for (var id in progress) {
          if (progress.hasOwnProperty(id) && progress[id].c === data.ch) {
            total++;
            if (progress[id].s === 2) right++;
          }
        }
        root.querySelector('.d2q-tally').innerHTML = both(data, 'q_tally', {right: right, total: total});
      }
    }

    /* ------------------------------------------------------------- booting */

    function boot(script, id) {
      if (id) {
        var root = document.getElementById(id);
        if (root) prepare(root);
        return;
      }
      var all = function () {
        var roots = document.querySelectorAll('.d2q');
        for (var n = 0; n < roots.length; n++) prepare(roots[n]);
      };
      if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', all);
      else all();
    }

    function prepare(root) {
      if (root.getAttribute('data-booted')) return;
      root.d2qData = JSON.parse(root.querySelector('script.d2q-data').textContent);
      root.setAttribute('data-booted', '1');
      if (root.getAttribute('data-auto')) {
        var pageLang = (document.documentElement.lang || '').toLowerCase();
        root.setAttribute('data-lang', pageLang.indexOf('zh') === 0 ? 'zh' : 'en');
      }
      root.querySelector('.d2q-hint').hidden = true;
      var edition = root.getAttribute('data-lang'), progress = load(edition), data = root.d2qData;
      if (!progress[data.id]) {
        progress[data.id] = {c: data.ch, s: 0};
        save(edition, progress);
      }
      tallies();
      root.d2lcnnQuiz = {
        answer: function (value) { start(root); return root.d2lcnnQuiz.answer(value); },
        reveal: function () { start(root); return root.d2lcnnQuiz.reveal(); },
        state: function () { return (load(root.getAttribute('data-lang'))[data.id] || {}).s; }
      };
      var events = ['pointerdown', 'focusin', 'keydown', 'click'];
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

    /* The heading that teaches the idea, found by its text: its anchor differs between Sphinx
       (English slug, numbered ids for Chinese) and JupyterLab (the text itself). */
    function linkSection(root) {
      var link = root.querySelector('.d2q-link');
      var want = link.getAttribute('data-' + root.getAttribute('data-lang'));
      var heads = document.querySelectorAll('h1, h2, h3, h4');
      for (var n = 0; n < heads.length; n++) {
        var text = heads[n].textContent.replace(/[\u00b6#\s]+$/, '').replace(/^\s+/, '');
        if (text === want) {
          var target = heads[n].id ? heads[n] : heads[n].closest('[id]');
          if (target) link.setAttribute('href', '#' + target.id);
          return;
        }
      }
    }

    /* ------------------------------------------------------------ answering */

    function start(root) {
      if (root.getAttribute('data-ready')) return;
      root.setAttribute('data-ready', '1');
      var data = root.d2qData, feedback = root.querySelector('.d2q-fb'), why = root.querySelector('.d2q-why');
      var field = root.querySelector('.d2q-in'), flip = false;
      linkSection(root);

      function say(key, values, good) {
        /* A repeated message is still announced: aria-live reads changed text only. */
        flip = !flip;
        feedback.innerHTML = both(data, key, values) + (flip ? '' : '\u00a0');
        root.classList.remove('d2q-ok', 'd2q-no');
        if (good === true) root.classList.add('d2q-ok');
        if (good === false) root.classList.add('d2q-no');
      }
      /* Show the explanations in `which` (option indices, or 'a' for the numeric answer). */
      function explain(which) {
        var parts = why.querySelectorAll('[data-o]'), any = false;
        for (var n = 0; n < parts.length; n++) {
          var on = which.indexOf(parts[n].getAttribute('data-o')) >= 0;
          parts[n].hidden = !on;
          any = any || on;
        }
        why.hidden = !any;
      }
      /* The reader has committed to an answer: the output of a predicted cell may be seen (quiz.css hides
         it on the website until then). A box of it that scrolls sideways becomes a tab stop, as the theme
         makes the boxes that scroll when the page loads, so that a keyboard reader can scroll it too. */
      function open() {
        root.classList.add('d2q-open');
        var cell = root.closest ? root.closest('.cell') : null, next = cell ? cell.nextElementSibling : null;
        if (!next || data.k !== 'pred') return;
        var boxes = next.querySelectorAll('.cell_output pre, .cell_output .output');
        for (var n = 0; n < boxes.length; n++) {
          if (boxes[n].scrollWidth > boxes[n].clientWidth) boxes[n].setAttribute('tabindex', '0');
        }
      }

      function answer(value) {
        if (data.k === 'num') {
          var text = String(value).replace(/[\s,_]/g, '').replace(/\u2212/g, '-');
          var number = Number(text);
          if (text === '' || isNaN(number)) {
            say('q_nan');
            return null;
          }
          var ok = Math.abs(number - data.a) <= data.tol + 1e-9 * Math.max(1, Math.abs(data.a));
          field.setAttribute('aria-invalid', ok ? 'false' : 'true');
          explain(ok ? ['a'] : []);
        } else {
          if (value === null || value === undefined || value === '') {
            say('q_pick');
            return null;
          }
          ok = Number(value) === data.a;
          explain([String(value)]);
          var labels = root.querySelectorAll('.d2q-opt');
          for (var n = 0; n < labels.length; n++) labels[n].classList.remove('d2q-chosen-no');
          if (!ok) labels[Number(value)].classList.add('d2q-chosen-no');
        }
        say(ok ? 'q_right' : 'q_wrong', null, ok);
        if (ok) {
          markRight();
          open();
        }
        record(root, data, ok ? 2 : 1);
        return ok;
      }

      function markRight() {
        if (data.k !== 'num') root.querySelectorAll('.d2q-opt')[data.a].classList.add('d2q-is-right');
      }

      function reveal() {
        if (data.k === 'num') {
          root.querySelector('.d2q-ans').hidden = false;
          explain(['a']);
          say('q_shown');
        } else {
          var all = [];
          for (var n = 0; n < data.n; n++) all.push(String(n));
          explain(all);
          markRight();
          say('q_shown_opt', {n: data.a + 1});
        }
        open();
        record(root, data, 1);
      }

      function chosen() {
        var picked = root.querySelector('input[type=radio]:checked');
        return picked ? picked.value : null;
      }

      root.querySelector('[data-a=check]').addEventListener('click', function () {
        answer(field ? field.value : chosen());
      });
      root.querySelector('[data-a=reveal]').addEventListener('click', reveal);
      /* Keys typed in the question stay in it: JupyterLab's notebook would otherwise take the arrow keys
         (move to another cell) and Enter. The browser's own action (choose the next option, type, press
         the button) still happens: nothing is prevented. */
      root.addEventListener('keydown', function (event) {
        var tag = event.target.tagName;
        if (tag === 'INPUT' || (tag === 'BUTTON' && event.key !== 'Tab')) event.stopPropagation();
      });
      if (field) {
        field.addEventListener('keydown', function (event) {
          if (event.key === 'Enter') {
            event.preventDefault();
            answer(field.value);
          }
        });
      }
      root.d2lcnnQuiz.answer = function (value) {
        if (field) field.value = String(value);
        else {
          var radio = root.querySelector('input[type=radio][value="' + Number(value) + '"]');
          if (radio) radio.checked = true;
        }
        return answer(value);
      };
      root.d2lcnnQuiz.reveal = reveal;
    }

    return {boot: boot};
  }
})();
