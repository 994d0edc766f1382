"""Self-contained HTML for the steppers: markup + scoped CSS + one small script.

Why this shape:
- The grids are written out here, already showing step 0, so the figure reads
  correctly even where scripts do not run (an untrusted notebook in JupyterLab).
- The numbers travel once as compact JSON; the script only moves classes and
  fills output cells, so a step touches a few dozen elements, not the page.
- Nothing is fetched (no CDN, font or stylesheet): the same output works in
  Jupyter, Colab's output iframe, VS Code and a static Jupyter Book page.
- Every id is a hash of the content, so a re-run writes identical bytes
  (nbval compares outputs) and several steppers share a page safely; CSS is
  scoped under ``.d2s`` and the script only looks inside its own root.
"""
import hashlib
import json
from html import escape

from .frames import LANGS, fmt, num

__all__ = ["render_steps", "render_rf", "rf_text"]

# --------------------------------------------------------------- labels

WORDS = {
    "en": {
        "conv": "Convolution", "pool_max": "Max pooling", "pool_avg": "Average pooling",
        "input": "Input", "padded": "padding", "kernel": "Kernel", "output": "Output", "channel": "channel",
        "bias": "bias", "window": "window", "reset": "Reset", "prev": "Prev", "next": "Next",
        "play": "Play", "pause": "Pause", "position": "Window position", "out_channel": "output channel",
        "size": "Output size ⌊(n − k + p + s)/s⌋, with p the total padding of both sides",
        "lg_input": "input", "lg_pad": "zero padding", "lg_padmax": "padding (−∞)", "lg_window": "kernel window",
        "lg_pwindow": "pooling window", "lg_kernel": "kernel", "lg_out": "output so far",
        "lg_cur": "cell being written", "lg_win": "largest value (wins)", "lg_unused": "never reached",
        "hint": "Static preview: run the cell (or trust the notebook) to step through it.",
        "keys": "Keys: ← → step, space plays, Home/End.",
        "rf": "Receptive field", "rf_layer": "layer", "rf_click": "Click a cell of a later layer (or use ← → ↑ ↓).",
        "lg_rf": "reaches the selected cell", "rf_in": "input", "lg_sel": "selected cell", "stride": "stride", "dilation": "dilation",
        "pad": "padding", "lang": "中文",
    },
    "zh": {
        "conv": "卷积", "pool_max": "最大汇聚", "pool_avg": "平均汇聚",
        "input": "输入", "padded": "填充", "kernel": "卷积核", "output": "输出", "channel": "通道",
        "bias": "偏置", "window": "窗口", "reset": "重置", "prev": "上一步", "next": "下一步",
        "play": "播放", "pause": "暂停", "position": "窗口位置", "out_channel": "输出通道",
        "size": "输出大小 ⌊(n − k + p + s)/s⌋，p 为两侧填充之和",
        "lg_input": "输入", "lg_pad": "零填充", "lg_padmax": "填充（−∞）", "lg_window": "卷积核窗口",
        "lg_pwindow": "汇聚窗口", "lg_kernel": "卷积核", "lg_out": "已算出的输出",
        "lg_cur": "正在写入的单元", "lg_win": "最大值（胜出）", "lg_unused": "从未被窗口覆盖",
        "hint": "静态预览：运行该单元格（或信任此笔记本）即可逐步查看。",
        "keys": "按键：← → 单步，空格播放，Home/End。",
        "rf": "感受野", "rf_layer": "层", "rf_click": "点击后面某层的单元（或用 ← → ↑ ↓）。",
        "lg_rf": "能影响所选单元", "rf_in": "输入", "lg_sel": "所选单元", "stride": "步幅", "dilation": "膨胀",
        "pad": "填充", "lang": "English",
    },
}


def _both(key, **fmt_args):
    """Both languages in the markup; CSS shows the one in the root's data-lang."""
    return "".join(f'<span lang="{lang}">{escape(WORDS[lang][key].format(**fmt_args))}</span>' for lang in LANGS)


def _both_text(texts):
    return "".join(f'<span lang="{lang}">{escape(texts[lang])}</span>' for lang in LANGS)


# ------------------------------------------------------------------ CSS

CSS = """
.d2s{--in:#e7eef9;--ink:#1d2a3a;--win:#ffd27a;--ring:#c27a00;--ker:#fff3d4;--kring:#e2a400;--out:#dff2e4;
--cur:#2f9a52;--max:#d93025;--rf:#e6defc;--rfring:#7556d6;
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","PingFang SC","Microsoft YaHei",sans-serif;
color:#1f2933;background:#fff;border:1px solid #d8dee6;border-radius:10px;padding:12px 14px;margin:8px 0;
max-width:100%;box-sizing:border-box;text-align:left}
.d2s:focus{outline:none}.d2s:focus-visible{box-shadow:0 0 0 3px #8ab4f8}
.d2s *{box-sizing:border-box}
.d2s[data-lang=en] [lang=zh],.d2s[data-lang=zh] [lang=en]{display:none}
.d2s-head{display:flex;justify-content:space-between;align-items:baseline;gap:4px 10px;flex-wrap:wrap;margin:0 0 8px}
.d2s-title{font-weight:600;font-size:15px}
.d2s-layer{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;color:#52606d;
flex-basis:100%;overflow-wrap:anywhere}
.d2s-bar{display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin:0 0 12px}
.d2s button,.d2s select{font:inherit;font-size:13px;padding:4px 10px;margin:0;border:1px solid #c4ccd6;
border-radius:6px;background:#f6f8fb;color:#1f2933;cursor:pointer;line-height:1.35;min-height:30px}
.d2s button:hover,.d2s select:hover{background:#eaf0f7}
.d2s button:focus-visible,.d2s select:focus-visible,.d2s input:focus-visible{outline:2px solid #3b78e7;outline-offset:1px}
.d2s button[aria-pressed=true]{background:#e1ecfd;border-color:#8ab0ee}
.d2s .d2s-pause,.d2s.d2s-playing .d2s-play{display:none}.d2s.d2s-playing .d2s-pause{display:inline}
.d2s input[type=range]{flex:1 1 140px;min-width:100px;margin:0 4px;accent-color:#2f9a52}
.d2s-pos{font-variant-numeric:tabular-nums;color:#52606d;min-width:4.5em}
.d2s-bar label{font-size:13px;color:#3e4c59;display:inline-flex;gap:6px;align-items:center}
.d2s-panels{display:flex;flex-wrap:wrap;gap:14px 26px;align-items:flex-start}
.d2s-panel{margin:0;padding:0;min-width:0;max-width:100%}
.d2s-panel>figcaption{font-weight:600;font-size:13px;margin:0 0 4px;color:#323f4b}
.d2s-sub{font-size:12px;color:#616e7c;margin:6px 0 2px}
.d2s-scroll{overflow:auto;max-width:100%;max-height:75vh;padding:2px}
.d2s-grid{display:grid;gap:2px;contain:strict;
font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace}
.d2s-grid i{font-style:normal;display:flex;align-items:center;justify-content:center;position:relative;
width:var(--c);height:var(--h);font-size:var(--f);border-radius:3px;background:var(--in);color:var(--ink);
white-space:nowrap;overflow:hidden}
.d2s-grid i.p{background:repeating-linear-gradient(135deg,#f4f5f7 0 3px,#e1e5ea 3px 6px);color:#8c98a6}
.d2s-grid i.u{opacity:.45;outline:1px dashed #9aa5b1;outline-offset:-2px}
.d2s-grid i.w{background:var(--win);color:#3b2600;box-shadow:inset 0 0 0 2px var(--ring);opacity:1}
.d2s-grid i.p.w{background:repeating-linear-gradient(135deg,#ffe6ad 0 3px,#ffcf70 3px 6px);color:#7a5200}
.d2s-grid i.win{background:#ffd0ca;box-shadow:inset 0 0 0 2px var(--max);color:#8a1c12}
.d2s-kl .d2s-x i[data-k]::after{content:"×" attr(data-k);position:absolute;right:1px;bottom:-1px;
font-size:.62em;color:#8f5400;font-weight:600}
.d2s-k i{background:var(--ker);box-shadow:inset 0 0 0 1px var(--kring)}
.d2s-y i{background:#f5f6f8;box-shadow:inset 0 0 0 1px #e0e4e9;cursor:pointer}
.d2s-y i.f{background:var(--out);color:#134023;box-shadow:none}
.d2s-y i.cur{background:var(--cur);color:#fff}
.d2s-rf i{cursor:pointer}.d2s-rf i.r{background:var(--rf);box-shadow:inset 0 0 0 2px var(--rfring)}
.d2s-rf .d2s-y i.r{background:var(--rf)}.d2s-rf i.cur{background:var(--rfring);color:#fff;box-shadow:none}
.d2s-bias{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;margin-top:6px}
.d2s-math{font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;
white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fb;border-left:3px solid var(--ring);
border-radius:0 6px 6px 0;padding:7px 10px;margin:14px 0 8px;min-height:2.2em}
.d2s-size{font:12.5px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:#3e4c59;overflow-wrap:anywhere}
.d2s-size b{font:600 12.5px system-ui,sans-serif;display:block;color:#52606d}
.d2s-legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px;color:#52606d;margin-top:8px}
.d2s-legend span span::before{content:"";display:inline-block;width:12px;height:12px;border-radius:2px;
vertical-align:-2px;margin-right:5px;background:var(--sw);box-shadow:var(--sb,none)}
.d2s-hint{font-size:12px;color:#8a5a00;margin:6px 0 0}
.d2s-keys{font-size:11.5px;color:#7b8794;margin-top:4px}
""".replace("\n", "")

# -------------------------------------------------------------- script
# One function for all three views; plain ES5 so any notebook front end runs it.
JS = r"""(function(){
var me=document.currentScript,roots=[];
if(me&&me.parentNode&&me.parentNode.getAttribute&&me.parentNode.getAttribute('data-d2s'))roots=[me.parentNode];
else roots=document.querySelectorAll('[data-d2s="__ID__"]');
for(var n=0;n<roots.length;n++)if(!roots[n].getAttribute('data-ready'))init(roots[n]);
function fmt(v){if(v===-Infinity)return'-\u221e';if(v===Infinity)return'\u221e';if(v!==v)return'NaN';
var s=v.toFixed(Math.abs(v)>=1?2:3);if(s.indexOf('.')>=0)s=s.replace(/0+$/,'').replace(/\.$/,'');
return(s==='-0'||s==='')?'0':s}
function fac(v){var s=fmt(v);return s.charAt(0)==='-'?'('+s+')':s}
function init(root){
root.setAttribute('data-ready','1');
var D=JSON.parse(root.querySelector('script.d2s-data').textContent),G={},gs=root.querySelectorAll('.d2s-grid'),
tags=/ d2s-kl/.test(root.className);
for(var n=0;n<gs.length;n++)G[gs[n].getAttribute('data-g')]=gs[n].children;
var math=root.querySelector('.d2s-math'),hint=root.querySelector('.d2s-hint');
if(hint)hint.style.display='none';
if(root.getAttribute('data-auto')){var dl=(document.documentElement.lang||'').toLowerCase();
root.setAttribute('data-lang',dl.indexOf('zh')===0?'zh':'en')}
function L(k){return D.L[root.getAttribute('data-lang')][k]}
var cur=-1,N=0,sel=null;
function on(a,f){var b=root.querySelector('[data-a="'+a+'"]');if(b)b.addEventListener(a==='slider'?'input':a==='oc'?'change':'click',f);return b}
function relabel(){var s=root.querySelector('[data-a="slider"]');if(s)s.setAttribute('aria-label',L('position'))}
on('lang',function(){root.setAttribute('data-lang',root.getAttribute('data-lang')==='zh'?'en':'zh');
relabel();say()});
relabel();
if(D.t==='rf')return rf();
var oc=D.oc,timer=null,W=D.w+2*D.p[1],slider=on('slider',function(){go(+slider.value)}),
pos=root.querySelector('.d2s-pos'),playb=on('play',function(){play(!timer)});
N=D.oh*D.ow;cur=0;say();
on('prev',function(){go(cur-1)});on('next',function(){go(cur+1)});on('reset',function(){play(false);go(0)});
var ocs=on('oc',function(){oc=+ocs.value;mark(cur,false);for(var n=0;n<=cur;n++)G.y[n].textContent=fmt(D.Y[oc*N+n]);
for(var c=0;c<D.ci;c++)for(var q=0;q<D.kh*D.kw;q++)G['k'+c][q].textContent=fmt(D.K[(oc*D.ci+c)*D.kh*D.kw+q]);
root.querySelector('.d2s-bv').textContent=fmt(D.b[oc]);mark(cur,true);say()});
root.querySelector('.d2s-y').addEventListener('click',function(e){
var i=Array.prototype.indexOf.call(G.y,e.target);if(i>=0)go(i)});
root.addEventListener('keydown',function(e){var t=e.target.tagName,k=e.key;
if(t==='INPUT'||t==='SELECT'||(t==='BUTTON'&&(k===' '||k==='Enter')))return;
if(k==='ArrowRight'||k==='ArrowDown')go(cur+1);else if(k==='ArrowLeft'||k==='ArrowUp')go(cur-1);
else if(k===' '||k==='Spacebar')play(!timer);else if(k==='Home')go(0);else if(k==='End')go(N-1);else return;
e.preventDefault();e.stopPropagation()});
function val(c,r,q){r-=D.p[0];q-=D.p[1];
if(r<0||q<0||r>=D.h||q>=D.w)return D.mode==='max'?-Infinity:0;return D.X[(c*D.h+r)*D.w+q]}
function cells(t){var i=Math.floor(t/D.ow),j=t%D.ow,o=[];
for(var a=0;a<D.kh;a++)for(var b=0;b<D.kw;b++)o.push([i*D.s[0]+a*D.d[0],j*D.s[1]+b*D.d[1]]);return o}
function mark(t,add){var cs=cells(t),best=-1;
if(D.mode==='max')for(var n=0;n<cs.length;n++)if(best<0||val(0,cs[n][0],cs[n][1])>val(0,cs[best][0],cs[best][1]))best=n;
for(var c=0;c<D.ci;c++)for(n=0;n<cs.length;n++){var el=G['x'+c][cs[n][0]*W+cs[n][1]];
if(add){el.classList.add('w');if(n===best)el.classList.add('win');
if(tags)el.setAttribute('data-k',fmt(D.K[(oc*D.ci+c)*cs.length+n]))}
else{el.classList.remove('w');el.classList.remove('win');el.removeAttribute('data-k')}}
G.y[t].classList[add?'add':'remove']('cur')}
function lines(t){var cs=cells(t),y=fmt(D.Y[oc*N+t]),vs=[],n;
if(D.t==='pool'){for(n=0;n<cs.length;n++)vs.push(val(0,cs[n][0],cs[n][1]));
if(D.mode==='max')return['max('+vs.map(fmt).join(', ')+') = '+y];
var dv=D.dv;if(!dv){dv=0;for(n=0;n<cs.length;n++){var r=cs[n][0]-D.p[0],q=cs[n][1]-D.p[1];
if(D.cip||(r>=0&&q>=0&&r<D.h&&q<D.w))dv++}}
return['('+vs.map(fac).join(' + ')+') / '+dv+' = '+y]}
var terms=[],sums=[],b=D.b[oc],tail=b!==0?' + '+L('bias')+' '+fac(b):'',out=[];
for(var c=0;c<D.ci;c++){var acc=0,parts=[];for(n=0;n<cs.length;n++){var x=val(c,cs[n][0],cs[n][1]),
k=D.K[(oc*D.ci+c)*cs.length+n];acc+=x*k;parts.push(fac(x)+'\u00d7'+fac(k))}terms.push(parts.join(' + '));sums.push(acc)}
if(D.ci===1)return[terms[0]+tail+' = '+y];
for(c=0;c<D.ci;c++)out.push(L('channel')+' '+c+': '+terms[c]+' = '+fmt(sums[c]));
out.push(sums.map(fac).join(' + ')+tail+' = '+y);return out}
function say(){if(D.t==='rf')math.textContent=rftext();else math.textContent=lines(cur).join('\n')}
function go(t){t=Math.max(0,Math.min(N-1,t));if(t===cur)return;
follow(t);mark(cur,false);var n;
if(t>cur)for(n=cur+1;n<=t;n++){G.y[n].textContent=fmt(D.Y[oc*N+n]);G.y[n].classList.add('f')}
else for(n=t+1;n<=cur;n++){G.y[n].textContent='';G.y[n].classList.remove('f')}
cur=t;mark(t,true);slider.value=t;pos.textContent=(t+1)+' / '+N;say()}
function follow(t){var cs=cells(t),a=cs[0],z=cs[cs.length-1];for(var c=0;c<D.ci;c++){
var g=G['x'+c][0].parentNode;show(g,z[0],z[1]);show(g,a[0],a[1])}show(G.y[0].parentNode,Math.floor(t/D.ow),t%D.ow)}
function show(g,r,c){var sc=g.parentNode;if(sc.scrollWidth<=sc.clientWidth&&sc.scrollHeight<=sc.clientHeight)return;
var w=parseFloat(g.style.getPropertyValue('--c'))+2,h=parseFloat(g.style.getPropertyValue('--h'))+2,x=c*w,y=r*h;
if(x<sc.scrollLeft)sc.scrollLeft=x;else if(x+w+4>sc.scrollLeft+sc.clientWidth)sc.scrollLeft=x+w+4-sc.clientWidth;
if(y<sc.scrollTop)sc.scrollTop=y;else if(y+h+4>sc.scrollTop+sc.clientHeight)sc.scrollTop=y+h+4-sc.clientHeight}
function play(p){if(p===!!timer)return;if(p){if(cur>=N-1)go(0);
timer=setInterval(function(){if(cur>=N-1)play(false);else go(cur+1)},D.ms)}
else{clearInterval(timer);timer=null}
root.classList[p?'add':'remove']('d2s-playing');playb.setAttribute('aria-pressed',p?'true':'false');
math.setAttribute('aria-live',p?'off':'polite')}
function rf(){var lit=[],S=D.shapes,last=S.length-1;sel=D.sel;
root.addEventListener('click',function(e){var g=e.target.parentNode,name=g&&g.getAttribute&&g.getAttribute('data-g');
if(!name||name==='l0')return;var l=+name.slice(1),i=Array.prototype.indexOf.call(G[name],e.target);
if(i>=0)pick(l,Math.floor(i/S[l][1]),i%S[l][1])});
root.addEventListener('keydown',function(e){var k=e.key,l=sel[0],i=sel[1],j=sel[2];
if(e.target.tagName==='BUTTON'&&(k===' '||k==='Enter'))return;
if(k==='ArrowRight')j++;else if(k==='ArrowLeft')j--;else if(k==='ArrowDown')i++;else if(k==='ArrowUp')i--;else return;
e.preventDefault();e.stopPropagation();
pick(l,Math.max(0,Math.min(S[l][0]-1,i)),Math.max(0,Math.min(S[l][1]-1,j)))});
function pick(l,i,j){for(var n=0;n<lit.length;n++){lit[n].classList.remove('r');lit[n].classList.remove('cur')}lit=[];
var el=G['l'+l][i*S[l][1]+j];el.classList.add('cur');lit.push(el);sel=[l,i,j];
var r1=i,c1=j;for(var m=l-1;m>=0;m--){r1+=D.ks[m][0]-1;c1+=D.ks[m][1]-1;
for(var r=i;r<=r1;r++)for(var c=j;c<=c1;c++){el=G['l'+m][r*S[m][1]+c];el.classList.add('r');lit.push(el)}}say()}
pick(sel[0],sel[1],sel[2])}
function rftext(){var l=sel[0],i=sel[1],j=sel[2],r1=i,c1=j,zh=root.getAttribute('data-lang')==='zh',
nm=function(m){return m===0?L('rf_in'):(zh?'\u7b2c '+m+' \u5c42':'layer '+m)},
s=nm(sel[0])+' ('+i+', '+j+')';
for(var m=l-1;m>=0;m--){r1+=D.ks[m][0]-1;c1+=D.ks[m][1]-1;
s+=' \u2190 '+nm(m)+(zh?' \u884c '+i+'\u2013'+r1+'\uff0c\u5217 ':' rows '+i+'\u2013'+r1+', cols ')+j+'\u2013'+c1}
var h=r1-i+1,w=c1-j+1;return s+(zh?'\uff08\u611f\u53d7\u91ce '+h+'\u00d7'+w+'\uff09':' (receptive field '+h+'\u00d7'+w+')')}
}
})();"""


def rf_text(kernel_sizes, layer, i, j, lang):
    """The receptive-field sentence as the script writes it (tests compare the two)."""
    zh = lang == "zh"

    def name(m):
        return WORDS[lang]["rf_in"] if m == 0 else (f"第 {m} 层" if zh else f"layer {m}")

    s, r1, c1 = f"{name(layer)} ({i}, {j})", i, j
    for m in range(layer - 1, -1, -1):
        r1 += kernel_sizes[m][0] - 1
        c1 += kernel_sizes[m][1] - 1
        s += f" ← {name(m)}" + (f" 行 {i}–{r1}，列 " if zh else f" rows {i}–{r1}, cols ") + f"{j}–{c1}"
    h, w = r1 - i + 1, c1 - j + 1
    return s + (f"（感受野 {h}×{w}）" if zh else f" (receptive field {h}×{w})")


# --------------------------------------------------------------- pieces

def _cell_style(texts, rows, cols):
    """Cells just wide enough for the longest number (square for short ones),
    smaller type for big grids, and the grid's own size spelled out: with it
    (and CSS containment) a step re-lays out one grid, not the whole figure."""
    chars = max((len(t) for t in texts), default=1)
    font = 13 if cols <= 12 else 11
    height = 26 if font == 13 else 22
    width = max(height, round(chars * font * 0.62 + 8))
    return (f"--c:{width}px;--h:{height}px;--f:{font}px;grid-template-columns:repeat({cols},var(--c));"
            f"width:{cols * (width + 2) - 2}px;height:{rows * (height + 2) - 2}px")


def _grid(name, rows, cols, texts, classes, extra_cls="", attrs=None, size_texts=None):
    """A CSS grid of <i> cells; ``size_texts`` sizes the cells when they fill in later."""
    attrs = attrs or [""] * len(texts)
    cells = "".join(("<i" + (f' class="{c}"' if c else "") + f"{a}>{escape(t)}</i>")
                    for t, c, a in zip(texts, classes, attrs))
    style = _cell_style(size_texts or texts, rows, cols)
    return (f'<div class="d2s-scroll"><div class="d2s-grid {extra_cls}" data-g="{name}" role="img" '
            f'aria-label="{rows}×{cols}" style="{style}">{cells}</div></div>')


def _legend(items):
    spans = []
    for key, swatch in items:
        spans.append(f'<span style="--sw:{swatch[0]};--sb:{swatch[1]}">{_both(key)}</span>')
    return f'<div class="d2s-legend">{"".join(spans)}</div>'


SW = {
    "input": ("#e7eef9", "none"),
    "pad": ("repeating-linear-gradient(135deg,#f4f5f7 0 2px,#d5dae0 2px 4px)", "none"),
    "window": ("#ffd27a", "inset 0 0 0 2px #c27a00"),
    "kernel": ("#fff3d4", "inset 0 0 0 1px #e2a400"),
    "out": ("#dff2e4", "none"),
    "cur": ("#2f9a52", "none"),
    "win": ("#ffd0ca", "inset 0 0 0 2px #d93025"),
    "unused": ("#e7eef9", "inset 0 0 0 1px #9aa5b1"),
    "rf": ("#e6defc", "inset 0 0 0 2px #7556d6"),
    "sel": ("#7556d6", "none"),
}


def _root(kind, payload, lang, body, extra_cls=""):
    data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    uid = "d2s-" + hashlib.sha1(f"{kind}|{lang}|{data}|{body}".encode()).hexdigest()[:12]
    shown = "en" if lang == "auto" else lang
    auto = ' data-auto="1"' if lang == "auto" else ""
    data = data.replace("</", "<\\/")
    return (f'<div class="d2s d2s-{kind}{extra_cls}" id="{uid}" data-d2s="{uid}" data-lang="{shown}"{auto} '
            f'tabindex="0" role="group" data-lm-suppress-shortcuts="true">'
            f"<style>{CSS}</style>{body}"
            f'<p class="d2s-hint">{_both("hint")}</p>'
            f'<script type="application/json" class="d2s-data">{data}</script>'
            f"<script>{JS.replace('__ID__', uid)}</script></div>")


def _labels():
    keys = ("bias", "channel", "position", "rf_in")
    return {lang: {k: WORDS[lang][k] for k in keys} for lang in LANGS}


def _bar(n_steps, out_channels=1, oc=0):
    pick = ""
    if out_channels > 1:
        opts = "".join(f'<option value="{c}"{" selected" if c == oc else ""}>{c}</option>'
                       for c in range(out_channels))
        pick = f'<label>{_both("out_channel")} <select data-a="oc">{opts}</select></label>'
    return ('<div class="d2s-bar">'
            f'<button type="button" data-a="reset">↺ {_both("reset")}</button>'
            f'<button type="button" data-a="prev">◂ {_both("prev")}</button>'
            f'<button type="button" data-a="play" aria-pressed="false"><span class="d2s-play">▸ {_both("play")}</span>'
            f'<span class="d2s-pause">❚❚ {_both("pause")}</span></button>'
            f'<button type="button" data-a="next">{_both("next")} ▸</button>'
            f'<input type="range" data-a="slider" min="0" max="{n_steps - 1}" value="0" step="1">'
            f'<span class="d2s-pos">1 / {n_steps}</span>{pick}</div>')


def _head(title, layer_repr):
    layer = f'<code class="d2s-layer">{escape(layer_repr)}</code>' if layer_repr else ""
    return (f'<div class="d2s-head"><span class="d2s-title">{_both_text(title)}</span>'
            f'<button type="button" data-a="lang">{_both("lang")}</button>{layer}</div>')


def _pair_text(pair):
    return str(pair[0]) if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"


# ------------------------------------------------------------ steppers

def render_steps(steps, out_channel=0, lang="en", layer_repr=None):
    """HTML for a ``ConvSteps`` or ``PoolSteps`` showing step 0 of ``out_channel``."""
    conv = steps.kind == "conv"
    frame0 = steps.frames(out_channel)[0]
    (ph, pw), Hp, Wp = steps.padding, steps.padded.shape[1], steps.padded.shape[2]
    oh, ow = steps.out_hw
    max_mode = not conv and steps.mode == "max"
    kernel_texts = ([fmt(num(v)) for v in steps.K[out_channel].flatten().tolist()] if conv else [])

    # The ×weight tag on window cells only fits when the kernel numbers are short
    # (and is kept to grids small enough that its extra layout per step is cheap).
    tags = " d2s-kl" if conv and max(len(t) for t in kernel_texts) <= 3 and Wp <= 16 else ""

    # Input grids: padding and never-reached cells get their class once, here.
    in_grids = []
    window = {rc: n for n, rc in enumerate(frame0.cells)}
    winner = None if conv else frame0.winner
    for c in range(steps.c_in):
        texts, classes, attrs = [], [], []
        for r in range(Hp):
            for q in range(Wp):
                cls = []
                if not (ph <= r < ph + steps.h and pw <= q < pw + steps.w):
                    cls.append("p")
                if not (steps.covered_rows[r] and steps.covered_cols[q]):
                    cls.append("u")
                if (r, q) in window:
                    cls.append("w")
                    if (r, q) == winner:
                        cls.append("win")
                texts.append(fmt(num(steps.padded[c, r, q])))
                classes.append(" ".join(cls))
                attrs.append(f' data-k="{escape(kernel_texts[c * steps.kh * steps.kw + window[(r, q)]])}"'
                             if tags and (r, q) in window else "")
        sub = (f'<div class="d2s-sub">{_both("channel")} {c}</div>' if steps.c_in > 1 else "")
        in_grids.append(sub + _grid(f"x{c}", Hp, Wp, texts, classes, "d2s-x", attrs))
    pad_note = (f' <span class="d2s-sub">(+ {_both("padded")} {_pair_text(steps.padding)})</span>'
                if ph or pw else "")
    panels = [f'<figure class="d2s-panel"><figcaption>{_both("input")} {steps.h}×{steps.w}{pad_note}'
              f'</figcaption>{"".join(in_grids)}</figure>']

    if conv:
        k_grids, per = [], steps.kh * steps.kw
        for c in range(steps.c_in):
            sub = (f'<div class="d2s-sub">{_both("channel")} {c}</div>' if steps.c_in > 1 else "")
            texts = kernel_texts[c * per:(c + 1) * per]
            k_grids.append(sub + _grid(f"k{c}", steps.kh, steps.kw, texts, [""] * per, "d2s-k"))
        bias = fmt(num(steps.bias[out_channel]))
        panels.append(f'<figure class="d2s-panel"><figcaption>{_both("kernel")} {steps.kh}×{steps.kw}</figcaption>'
                      f'{"".join(k_grids)}<div class="d2s-bias">{_both("bias")} = <span class="d2s-bv">{bias}'
                      f"</span></div></figure>")

    # Output: every cell is sized for its final number but only step 0 is filled.
    y_all = [fmt(num(v)) for v in steps.output[out_channel].flatten().tolist()]
    y_texts = [y_all[0]] + [""] * (oh * ow - 1)
    y_cls = ["f cur"] + [""] * (oh * ow - 1)
    grid = _grid("y", oh, ow, y_texts, y_cls, "d2s-y", size_texts=y_all)
    panels.append(f'<figure class="d2s-panel"><figcaption>{_both("output")} {oh}×{ow}</figcaption>{grid}</figure>')

    size = "".join(f"<div>{_both_text({lang_: line for lang_, line in zip(LANGS, pair)})}</div>"
                   for pair in zip(*(steps.size_lines[lang_] for lang_ in LANGS)))
    legend = [("lg_input", SW["input"])]
    if ph or pw:
        legend.append(("lg_padmax" if max_mode else "lg_pad", SW["pad"]))
    legend.append(("lg_window" if conv else "lg_pwindow", SW["window"]))
    if conv:
        legend.append(("lg_kernel", SW["kernel"]))
    if max_mode:
        legend.append(("lg_win", SW["win"]))
    legend += [("lg_out", SW["out"]), ("lg_cur", SW["cur"])]
    if not (all(steps.covered_rows) and all(steps.covered_cols)):
        legend.append(("lg_unused", SW["unused"]))

    title = _title(steps)
    shown_lang = "en" if lang == "auto" else lang
    body = (_head(title, layer_repr) + _bar(oh * ow, steps.c_out, out_channel)
            + f'<div class="d2s-panels">{"".join(panels)}</div>'
            + f'<div class="d2s-math" aria-live="polite">{escape(frame0.text(shown_lang))}</div>'
            + f'<div class="d2s-size"><b>{_both("size")}</b>{size}</div>' + _legend(legend)
            + f'<div class="d2s-keys">{_both("keys")}</div>')

    payload = {"t": steps.kind, "ci": steps.c_in, "h": steps.h, "w": steps.w, "p": list(steps.padding),
               "s": list(steps.stride), "d": list(steps.dilation), "kh": steps.kh, "kw": steps.kw,
               "oh": oh, "ow": ow, "oc": out_channel,
               "X": [num(v) for v in steps.X.flatten().tolist()],
               "Y": [num(v) for v in steps.output.flatten().tolist()],
               # Play through any size in about 12 s, but never faster than the eye can follow.
               "ms": max(60, min(700, 12000 // (oh * ow))), "L": _labels()}
    if conv:
        payload.update(K=[num(v) for v in steps.K.flatten().tolist()],
                       b=[num(v) for v in steps.bias.flatten().tolist()])
    else:
        payload.update(mode=steps.mode, cip=int(bool(steps.count_include_pad)), dv=steps.divisor_override or 0)
    return _root(steps.kind, payload, lang, body, tags)


def _title(steps):
    s, p, d = _pair_text(steps.stride), _pair_text(steps.padding), _pair_text(steps.dilation)
    out = {}
    for lang in LANGS:
        W = WORDS[lang]
        if steps.kind == "conv":
            shape = f"{steps.c_in}×{steps.h}×{steps.w}" if steps.c_in > 1 else f"{steps.h}×{steps.w}"
            kshape = f"{steps.kh}×{steps.kw}"
            if steps.c_out > 1 or steps.c_in > 1:
                kshape = f"{steps.c_out}×{steps.c_in}×{kshape}"
            head = f"{W['conv']}: {W['input']} {shape}, {W['kernel']} {kshape}"
        else:
            head = f"{W['pool_' + steps.mode]}: {W['input']} {steps.h}×{steps.w}, {W['window']} {steps.kh}×{steps.kw}"
        sep = "，" if lang == "zh" else ", "
        head = head.replace(", ", sep) + f"{sep}{W['pad']} {p}{sep}{W['stride']} {s}"
        if d != "1":
            head += f"{sep}{W['dilation']} {d}"
        out[lang] = head
    return out


# ------------------------------------------------------- receptive field

def render_rf(rf, lang="en", selected=None):
    """HTML for a ``ReceptiveField``: one grid per layer, the last layer's cell picked."""
    last = len(rf.shapes) - 1
    sel = selected or (last, 0, 0)
    region = rf.region(*sel)
    panels = []
    for m, (h, w) in enumerate(rf.shapes):
        if m < len(rf.values):
            texts = [fmt(num(v)) for v in rf.values[m].flatten().tolist()]
        else:
            texts = [""] * (h * w)
        classes = []
        for r in range(h):
            for q in range(w):
                if m == sel[0] and (r, q) == sel[1:]:
                    classes.append("cur")
                elif m in region and region[m][0] <= r <= region[m][1] and region[m][2] <= q <= region[m][3]:
                    classes.append("r")
                else:
                    classes.append("")
        if m == 0:
            cap = _both("input")
        else:
            k = rf.kernel_sizes[m - 1]
            cap = _both_text({"en": f"layer {m} ({k[0]}×{k[1]} kernel)", "zh": f"第 {m} 层（{k[0]}×{k[1]} 卷积核）"})
        panels.append(f'<figure class="d2s-panel"><figcaption>{cap} {h}×{w}</figcaption>'
                      + _grid(f"l{m}", h, w, texts, classes, "d2s-x" if m == 0 else "d2s-y") + "</figure>")
    ks = [list(k) for k in rf.kernel_sizes]
    title = {lang_: f"{WORDS[lang_]['rf']}: " + " → ".join(f"{k[0]}×{k[1]}" for k in ks) for lang_ in LANGS}
    shown_lang = "en" if lang == "auto" else lang
    body = (_head(title, None) + f'<div class="d2s-sub">{_both("rf_click")}</div>'
            + f'<div class="d2s-panels">{"".join(panels)}</div>'
            + f'<div class="d2s-math" aria-live="polite">{escape(rf_text(ks, *sel, shown_lang))}</div>'
            + _legend([("lg_input", SW["input"]), ("lg_rf", SW["rf"]), ("lg_sel", SW["sel"])]))
    payload = {"t": "rf", "shapes": [list(s) for s in rf.shapes], "ks": ks, "sel": list(sel), "L": _labels()}
    return _root("rf", payload, lang, body, " d2s-rf")
