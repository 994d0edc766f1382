/* d2lcnn window steppers: the one script of every stepper (d2lcnn/widgets/stepper.js).

   render.py embeds this file in each stepper's HTML, block comments and indentation removed,
   with __ID__ replaced by the stepper's content-hashed id. Plain ES5, so every notebook front
   end runs it. Only block comments here: the saved HTML must not contain two slashes.
   Served once per page: every inline copy defines the library only if window.d2lcnnStepper
   is missing, then wires its own root; later copies just wire theirs.

   The markup. Each stepper is one root element
     <div class="d2s d2s-KIND" id="ID" data-d2s="ID" data-lang="en|zh" [data-auto="1"] tabindex="0">
   data-auto: follow the page's <html lang> (set once, at init). Inside it:
     grids    <div class="d2s-grid" data-g="NAME"> of <i> cells, row-major:
              x0, x1, ... padded input channels; k0, k1, ... kernel slices; y output;
              l0, l1, ... receptive-field layers (l0 the input)
     controls [data-a=reset|prev|play|next|slider|oc|lang] (oc: output-channel <select>)
              [data-c=pt|pb|pl|pr|sh|sw|kh|kw|dh|dw|mode] the <select>s that recompute
     text     .d2s-math (the arithmetic of the current step), .d2s-pos ("3 / 16"), .d2s-hint,
              .d2s-err (the message of an impossible configuration)
     numbers  <script type="application/json" class="d2s-data">, parsed once into D:
       t      'conv' | 'pool' | 'rf'
       L      {en: {...}, zh: {...}} label templates with {placeholders} (widgets/strings.py)
       conv and pool:
         ci, h, w   input channels, height, width (before padding)
         p          padding [height, width] on both sides (the script keeps [top, bottom, left, right])
         s, d       stride, dilation, each [height, width]
         kh, kw     window size; oh, ow output size; oc output channel shown first
         X          input values, channel-major; Y every output channel's values
         ms         milliseconds per step when playing
         conv: K (c_o x c_i x kh x kw, flat) and b (bias per output channel)
         pool: mode ('max' | 'avg'), cip (count_include_pad, 0/1), dv (divisor override or 0)
       rf: shapes ([h, w] per layer), ks (kernel size per layer), sel ([layer, row, col] first lit)
   Python computes the first state; after a change the script recomputes everything itself
   (run, check and sizeLines below follow torch.nn.functional and frames.py).

   The handle. Each conv or pool root element carries root.d2lcnn, for tests and curious readers:
     set(config)  change any of: x (nested [c][h][w] or [h][w]), k ([c_o][c_i][kh][kw], [c_i][kh][kw]
                  or [kh][kw]), bias (number or one per output channel), padding (n, [h, w] or
                  [top, bottom, left, right]), stride (n or [h, w]), dilation (n or [h, w]),
                  size (window or kernel size, n or [h, w]; a kernel keeps its overlapping values),
                  mode ('max' | 'avg', pooling); recomputes and redraws; returns error()
     output()     every output channel, nested [c][oh][ow] (null while the configuration is impossible)
     shape()      [channels, oh, ow] (null likewise)
     error()      '' or the message of the impossible configuration, in the shown language
                  (the same text Python's ValueError gives)
     preset(name) 'x:edge' | 'x:arange' | 'x:rand' | 'x:fm0'..'x:fm3' (Fashion-MNIST) | 'k:edge' | 'k:ident' |
                  'k:box' | 'k:sobx' | 'k:soby' | 'k:sharp' | 'k:rand', as the preset buttons do
     config()     the current padding (4 sides), stride, dilation, size, mode
   window.d2lcnnStepper.run(D) and .check(D, lang) are the pure engine. */
(function(){
var me=document.currentScript,E=window.d2lcnnStepper,roots=[];
if(!E)E=window.d2lcnnStepper=lib();
if(me&&me.parentNode&&me.parentNode.getAttribute&&me.parentNode.getAttribute('data-d2s'))roots=[me.parentNode];
else roots=document.querySelectorAll('[data-d2s="__ID__"]');
for(var n=0;n<roots.length;n++)if(!roots[n].getAttribute('data-ready'))E.init(roots[n]);

function lib(){
/* Numbers as frames.fmt writes them: 2 decimals from 1 up, else 3, trailing zeros dropped. */
function fmt(v){if(v===-Infinity)return'-\u221e';if(v===Infinity)return'\u221e';if(v!==v)return'NaN';
  var s=v.toFixed(Math.abs(v)>=1?2:3);if(s.indexOf('.')>=0)s=s.replace(/0+$/,'').replace(/\.$/,'');
  return(s==='-0'||s==='')?'0':s}
/* A factor of a product: negative numbers in brackets. */
function fac(v){var s=fmt(v);return s.charAt(0)==='-'?'('+s+')':s}
/* A label template with its {placeholders} filled, as str.format does in Python. */
function fill(s,o){return s.replace(/\{(\w+)\}/g,function(m,k){return o.hasOwnProperty(k)?String(o[k]):m})}
function esc(s){return String(s).replace(/&/g,'&amp;').replace(/</g,'&lt;').replace(/>/g,'&gt;').replace(/"/g,'&quot;')}
function tup(a){return'('+a.join(', ')+')'}
function span(k,d){return d*(k-1)+1}
function pair(v){return typeof v==='number'?[v,v]:[+v[0],+v[1]]}
function sides(p){if(typeof p==='number')return[p,p,p,p];return p.length===2?[+p[0],+p[0],+p[1],+p[1]]:p.slice(0,4).map(Number)}
function even(P){return P[0]===P[1]&&P[2]===P[3]}
/* Both languages at once; CSS shows the one in the root's data-lang. */
function both(D,k,o){return'<span lang="en">'+esc(fill(D.L.en[k],o||{}))+'<\/span><span lang="zh">'+esc(fill(D.L.zh[k],o||{}))+'<\/span>'}
function bothF(f){return'<span lang="en">'+esc(f('en'))+'<\/span><span lang="zh">'+esc(f('zh'))+'<\/span>'}

/* The engine. D as in the payload, D.p as 4 sides. Every output channel, row-major:
   conv2d (bias added first), max_pool2d (padding -inf) and avg_pool2d (padding 0, divided by
   the window size when cip, by the covered input cells otherwise, or by dv). Pooling works
   per channel. */
function outSize(D){var P=D.p;return[Math.floor((D.h+P[0]+P[1]-span(D.kh,D.d[0]))/D.s[0])+1,
  Math.floor((D.w+P[2]+P[3]-span(D.kw,D.d[1]))/D.s[1])+1]}
function run(D){var P=D.p,sh=D.s[0],sw=D.s[1],dh=D.d[0],dw=D.d[1],kh=D.kh,kw=D.kw,h=D.h,w=D.w,X=D.X,K=D.K,
  ci=D.ci,o2=outSize(D),oh=o2[0],ow=o2[1],pool=D.t==='pool',mx=pool&&D.mode==='max',co=pool?ci:D.K.length/(ci*kh*kw),
  Y=new Array(co*oh*ow),o,i,j,a,b,c,r,q,acc,cnt,v,inside;
  for(o=0;o<co;o++)for(i=0;i<oh;i++)for(j=0;j<ow;j++){
    if(pool){acc=mx?-Infinity:0;cnt=0;
      for(a=0;a<kh;a++)for(b=0;b<kw;b++){r=i*sh+a*dh-P[0];q=j*sw+b*dw-P[2];inside=r>=0&&q>=0&&r<h&&q<w;
        v=inside?X[(o*h+r)*w+q]:(mx?-Infinity:0);
        if(mx){if(v>acc)acc=v}else{acc+=v;if(inside||D.cip)cnt++}}
      if(!mx)acc/=(D.dv||cnt)}
    else{acc=D.b[o];
      for(c=0;c<ci;c++)for(a=0;a<kh;a++){r=i*sh+a*dh-P[0];if(r<0||r>=h)continue;
        for(b=0;b<kw;b++){q=j*sw+b*dw-P[2];if(q>=0&&q<w)acc+=X[(c*h+r)*w+q]*K[((o*ci+c)*kh+a)*kw+b]}}}
    Y[(o*oh+i)*ow+j]=acc}
  return{Y:Y,oh:oh,ow:ow,co:co}}
/* '' or the message of an impossible configuration in language lg: frames.window_error. */
function check(D,lg){var L=function(k,o){return fill(D.L[lg][k],o||{})},P=D.p,pool=D.t==='pool',a,ks=[D.kh,D.kw],ns=[D.h,D.w];
  if(pool&&D.mode==='avg'&&(D.d[0]>1||D.d[1]>1))return L('err_avgdil');
  if(pool)for(a=0;a<2;a++)if(Math.max(P[2*a],P[2*a+1])>Math.floor(span(ks[a],D.d[a])/2))
    return L('err_half',{padding:tup(even(P)?[P[0],P[2]]:P),window:tup(ks)});
  for(a=0;a<2;a++){var sp=span(ks[a],D.d[a]),A=P[2*a],B=P[2*a+1];
    if(sp>ns[a]+A+B)return L('err_fit',{what:L(pool?'what_pool':'what_kernel'),span:sp,axis:L(a?'width':'height'),
      extra:D.d[a]>1?L('err_dil',{k:ks[a],d:D.d[a]}):'',padded:ns[a]+A+B,n:ns[a],pads:A===B?'2\u00d7'+A:A+' + '+B})}
  return''}
/* The output-size lines of frames.size_lines, in language lg. */
function sizeLines(D,lg){var L=function(k,o){return fill(D.L[lg][k],o||{})},out=[],P=D.p;
  for(var a=0;a<2;a++){var n=a?D.w:D.h,k=a?D.kw:D.kh,d=D.d[a],s=D.s[a],sp=span(k,d),p=P[2*a]+P[2*a+1],
    top=n-sp+p+s,o=Math.floor((n+p-sp)/s)+1,left=(n+p-sp)%s,
    t=L(a?'width':'height')+': '+(d>1?'k = '+d+'\u00d7('+k+'\u2212'+'1)+1 = '+sp+', ':'')+
      '\u230a('+n+' \u2212 '+sp+' + '+p+' + '+s+')/'+s+'\u230b'+(s>1?' = \u230a'+top+'/'+s+'\u230b':'')+
      (top%s?' = \u230a'+fmt(top/s)+'\u230b':'')+' = '+o;
    if(left)t+=L('size_floor',{padded:n+p,span:sp,rest:n+p-sp,s:s,left:left,unit:L((a?'col':'row')+(left>1?'s':''))});
    out.push(t)}
  return out}
function pairText(v){return v[0]===v[1]?String(v[0]):tup(v)}
function padText(P){return even(P)?pairText([P[0],P[2]]):tup(P)}
/* The title line of render._title. */
function title(D,lg){var L=function(k){return D.L[lg][k]},sep=L('sep'),co=D.K?D.K.length/(D.ci*D.kh*D.kw):1,h;
  if(D.t==='conv'){var ks=D.kh+'\u00d7'+D.kw;if(co>1||D.ci>1)ks=co+'\u00d7'+D.ci+'\u00d7'+ks;
    h=L('conv')+': '+L('input')+' '+(D.ci>1?D.ci+'\u00d7':'')+D.h+'\u00d7'+D.w+sep+L('kernel')+' '+ks}
  else h=L('pool_'+D.mode)+': '+L('input')+' '+D.h+'\u00d7'+D.w+sep+L('window')+' '+D.kh+'\u00d7'+D.kw;
  h+=sep+L('pad')+' '+padText(D.p)+sep+L('stride')+' '+pairText(D.s);
  if(D.d[0]>1||D.d[1]>1)h+=sep+L('dilation')+' '+pairText(D.d);return h}

/* A grid of <i> cells sized as render._cell_style does. */
function grid(name,rows,cols,texts,cls,extra,sizeTexts,px,vals){var chars=1,n,st=sizeTexts||texts,h=[];
  for(n=0;n<st.length;n++)if(st[n].length>chars)chars=st[n].length;
  var f=cols<=12?13:11,ht=f===13?26:22,wd=Math.max(ht,Math.round(chars*f*0.62+8));
  if(px){f=0;ht=wd=9;extra+=' d2s-px'}
  for(n=0;n<texts.length;n++)h.push('<i'+(cls[n]?' class="'+cls[n]+'"':'')+(px&&vals&&texts[n]&&!/\bp\b/.test(cls[n])?
    ' title="'+esc(texts[n])+'" style="background:'+grey(vals[n],px)+'"':'')+'>'+esc(texts[n])+'<\/i>');
  return'<div class="d2s-scroll"><div class="d2s-grid '+extra+'" data-g="'+name+'" role="img" aria-label="'+rows+'\u00d7'+cols+
    '" style="--c:'+wd+'px;--h:'+ht+'px;--f:'+f+'px;grid-template-columns:repeat('+cols+',var(--c));width:'+
    (cols*(wd+2)-2)+'px;height:'+(rows*(ht+2)-2)+'px">'+h.join('')+'<\/div><\/div>'}

/* Grey level of v in the range r = [lo, hi] (pixels mode: dark low, light high). */
function grey(v,r){var g=r[1]>r[0]?Math.round((v-r[0])/(r[1]-r[0])*255):128;if(!(g>=0))g=0;return'rgb('+g+','+g+','+g+')'}
function range(a){var lo=Infinity,hi=-Infinity;for(var n=0;n<a.length;n++)if(isFinite(a[n])){if(a[n]<lo)lo=a[n];if(a[n]>hi)hi=a[n]}
  return[lo,hi]}
/* Four Fashion-MNIST test images, 28x28 uint8 each (fashion_data.py), scaled to [0, 1]. */
var FM='__FM__',fmCache=null;
function fashion(i){if(!fmCache)fmCache=atob(FM.replace(/-/g,'+').replace(/_/g,'/'));var o=[];
  for(var r=0;r<28;r++){var row=[];for(var q=0;q<28;q++)row.push(Math.round(fmCache.charCodeAt(i*784+r*28+q)/255*1000)/1000);o.push(row)}
  return o}
/* Kernel presets, 2-D. */
var KP={edge:[[1,-1]],ident:[[0,0,0],[0,1,0],[0,0,0]],box:[[1,1,1],[1,1,1],[1,1,1]].map(function(r){return r.map(function(){return 0.111})}),
  sobx:[[-1,0,1],[-2,0,2],[-1,0,1]],soby:[[-1,-2,-1],[0,0,0],[1,2,1]],sharp:[[0,-1,0],[-1,5,-1],[0,-1,0]]};

/* What every view shares: the payload, the grids, labels in the shown language, controls. */
function init(root){
  root.setAttribute('data-ready','1');
  var ui={root:root,D:JSON.parse(root.querySelector('script.d2s-data').textContent),G:{},
    math:root.querySelector('.d2s-math')},hint=root.querySelector('.d2s-hint');
  ui.grids=function(){var gs=root.querySelectorAll('.d2s-grid');ui.G={};
    for(var n=0;n<gs.length;n++)ui.G[gs[n].getAttribute('data-g')]=gs[n].children;return ui.G};
  ui.grids();
  if(hint)hint.style.display='none';
  if(root.getAttribute('data-auto')){var dl=(document.documentElement.lang||'').toLowerCase();
    root.setAttribute('data-lang',dl.indexOf('zh')===0?'zh':'en')}
  ui.lang=function(){return root.getAttribute('data-lang')};
  ui.L=function(k,o){return fill(ui.D.L[ui.lang()][k],o||{})};
  ui.on=function(a,f){var b=root.querySelector('[data-a="'+a+'"]');
    if(b)b.addEventListener(a==='slider'?'input':a==='oc'?'change':'click',f);return b};
  var view;
  ui.on('lang',function(){root.setAttribute('data-lang',ui.lang()==='zh'?'en':'zh');
    relabel(ui);view.say()});
  relabel(ui);
  /* A grid wider or taller than its box scrolls there; such a box is a tab stop, so that a keyboard
     reaches all of it (arrow keys scroll it while it has the focus). */
  ui.tabs=function(){var s=root.querySelectorAll('.d2s-scroll');for(var n=0;n<s.length;n++){var e=s[n];
    if(e.scrollWidth>e.clientWidth||e.scrollHeight>e.clientHeight)e.setAttribute('tabindex','0');else e.removeAttribute('tabindex')}};
  ui.scroller=function(e){return e.target.classList&&e.target.classList.contains('d2s-scroll')};
  view=ui.D.t==='rf'?receptiveField(ui):stepper(ui);
  ui.tabs();window.addEventListener('resize',ui.tabs);
}
/* Accessible names in the shown language (the visible labels switch by CSS). */
function relabel(ui){var s=ui.root.querySelector('[data-a="slider"]');if(s)s.setAttribute('aria-label',ui.L('position'));
  var cs=ui.root.querySelectorAll('[data-c]');for(var n=0;n<cs.length;n++){var c=cs[n],g=c.getAttribute('data-g'),
    p=c.getAttribute('data-p');c.setAttribute('aria-label',p?ui.L('c_aria',{group:ui.L(g),part:ui.L(p)}):ui.L(g));
    if(c.getAttribute('data-c')==='mode')for(var o=0;o<c.options.length;o++)c.options[o].textContent=ui.L('m_'+c.options[o].value)}}

/* Convolution and pooling: one output cell per step. */
function stepper(ui){
  var root=ui.root,D=ui.D,G=ui.G,math=ui.math,oc=D.oc,timer=null,cur=0,N,W,err='',tags,ypx=null,
    slider=ui.on('slider',function(){go(+slider.value)}),pos=root.querySelector('.d2s-pos'),
    playb=ui.on('play',function(){play(!timer)}),errEl=root.querySelector('.d2s-err');
  D.p=sides(D.p);if(D.t==='conv')D.co=D.b.length;
  dims();say();
  ui.on('prev',function(){go(cur-1)});ui.on('next',function(){go(cur+1)});
  ui.on('reset',function(){play(false);go(0)});
  var ocs=ui.on('oc',function(){oc=+ocs.value;if(err)return;mark(cur,false);
    for(var n=0;n<=cur;n++)G.y[n].textContent=fmt(D.Y[oc*N+n]);
    for(var c=0;c<D.ci;c++)for(var q=0;q<D.kh*D.kw;q++)G['k'+c][q].textContent=fmt(D.K[(oc*D.ci+c)*D.kh*D.kw+q]);
    root.querySelector('.d2s-bv').textContent=fmt(D.b[oc]);mark(cur,true);say()});
  root.addEventListener('click',function(e){var el=e.target,g=el.parentNode,name=g&&g.getAttribute&&g.getAttribute('data-g'),
    pb=el.closest&&el.closest('[data-pre]');if(pb){preset(pb.getAttribute('data-pre'));return}
    if(!name||el.tagName!=='I')return;var i=Array.prototype.indexOf.call(G[name],el);if(i<0)return;
    if(name==='y')go(i);else if(/^[xk]/.test(name))edit(el,name,i)});
  root.addEventListener('keydown',function(e){var t=e.target.tagName,k=e.key;
    if(t==='INPUT'||t==='SELECT'||(t==='BUTTON'&&(k===' '||k==='Enter'))||ui.scroller(e))return;
    if(k==='ArrowRight'||k==='ArrowDown')go(cur+1);else if(k==='ArrowLeft'||k==='ArrowUp')go(cur-1);
    else if(k===' '||k==='Spacebar')play(!timer);else if(k==='Home')go(0);else if(k==='End')go(N-1);else return;
    e.preventDefault();e.stopPropagation()});
  var ctl=root.querySelectorAll('[data-c]');
  for(var n=0;n<ctl.length;n++)ctl[n].addEventListener('change',fromControls);

  /* Fill (on) or clear output cell n; in pixels mode its grey level shows the value, the title the number. */
  function put(n,on){var el=G.y[n],v=D.Y[oc*N+n];el.textContent=on?fmt(v):'';el.classList[on?'add':'remove']('f');
    if(ypx){el.style.background=on?grey(v,ypx):'';el.title=on?fmt(v):''}}
  function dims(){N=D.oh*D.ow;W=D.w+D.p[2]+D.p[3];tags=/ d2s-kl/.test(root.className)}
  /* The value under padded cell (r, q) of channel c: padding is 0, or -inf for max pooling. */
  function val(c,r,q){r-=D.p[0];q-=D.p[2];
    if(r<0||q<0||r>=D.h||q>=D.w)return D.mode==='max'?-Infinity:0;return D.X[(c*D.h+r)*D.w+q]}
  /* The padded-input (row, col) under each window entry at step t, row-major. */
  function cells(t){var i=Math.floor(t/D.ow),j=t%D.ow,o=[];
    for(var a=0;a<D.kh;a++)for(var b=0;b<D.kw;b++)o.push([i*D.s[0]+a*D.d[0],j*D.s[1]+b*D.d[1]]);return o}
  /* Pooling reads input channel oc; a convolution all of them. */
  function pc(){return D.t==='pool'?Math.min(oc,D.ci-1):0}
  /* Outline (add) or clear the window of step t, its winner and its ×weight tags. */
  function mark(t,add){var cs=cells(t),best=-1,n,c0=pc();
    if(D.mode==='max')for(n=0;n<cs.length;n++)if(best<0||val(c0,cs[n][0],cs[n][1])>val(c0,cs[best][0],cs[best][1]))best=n;
    for(var c=0;c<D.ci;c++)for(n=0;n<cs.length;n++){var el=G['x'+c][cs[n][0]*W+cs[n][1]];
      if(add){el.classList.add('w');if(n===best&&c===c0)el.classList.add('win');
        if(tags)el.setAttribute('data-k',fmt(D.K[(oc*D.ci+c)*cs.length+n]))}
      else{el.classList.remove('w');el.classList.remove('win');el.removeAttribute('data-k')}}
    G.y[t].classList[add?'add':'remove']('cur')}
  /* The arithmetic of step t, line by line (frames.ConvFrame / PoolFrame .lines). */
  function lines(t){var cs=cells(t),y=fmt(D.Y[oc*N+t]),vs=[],n,c0=pc();
    if(D.t==='pool'){for(n=0;n<cs.length;n++)vs.push(val(c0,cs[n][0],cs[n][1]));
      if(D.mode==='max')return['max('+vs.map(fmt).join(', ')+') = '+y];
      var dv=D.dv;if(!dv){dv=0;for(n=0;n<cs.length;n++){var r=cs[n][0]-D.p[0],q=cs[n][1]-D.p[2];
        if(D.cip||(r>=0&&q>=0&&r<D.h&&q<D.w))dv++}}
      return['('+vs.map(fac).join(' + ')+') / '+dv+' = '+y]}
    var terms=[],sums=[],b=D.b[oc],tail=b!==0?' + '+ui.L('bias')+' '+fac(b):'',out=[];
    for(var c=0;c<D.ci;c++){var acc=0,parts=[];for(n=0;n<cs.length;n++){var x=val(c,cs[n][0],cs[n][1]),
      k=D.K[(oc*D.ci+c)*cs.length+n];acc+=x*k;parts.push(fac(x)+'\u00d7'+fac(k))}terms.push(parts.join(' + '));sums.push(acc)}
    if(D.ci===1)return[terms[0]+tail+' = '+y];
    for(c=0;c<D.ci;c++)out.push(ui.L('channel')+' '+c+': '+terms[c]+' = '+fmt(sums[c]));
    out.push(sums.map(fac).join(' + ')+tail+' = '+y);return out}
  function say(){math.textContent=err?'':lines(cur).join('\n')}
  /* Move to step t: fill (or clear) the output cells in between, move the window. */
  function go(t){if(err)return;t=Math.max(0,Math.min(N-1,t));if(t===cur)return;
    follow(t);mark(cur,false);var n;
    if(t>cur)for(n=cur+1;n<=t;n++)put(n,true);else for(n=t+1;n<=cur;n++)put(n,false);
    cur=t;mark(t,true);slider.value=t;pos.textContent=(t+1)+' / '+N;say()}
  /* Scroll big grids so the window and the output cell of step t stay in view. */
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

  /* A new configuration: check it, recompute every output, redraw the panels at step 0. */
  function recompute(){play(false);err=check(D,'en');
    root.classList[err?'add':'remove']('d2s-bad');
    if(errEl){errEl.innerHTML=err?bothF(function(l){return check(D,l)}):'';errEl.hidden=!err}
    root.querySelector('.d2s-title').innerHTML=bothF(function(l){return title(D,l)});
    if(err){math.textContent='';return}
    var R=run(D);D.Y=R.Y;D.oh=R.oh;D.ow=R.ow;if(oc>=R.co)oc=0;
    if(ocs&&ocs.options.length!==R.co){var o=[];for(var c=0;c<R.co;c++)o.push('<option value="'+c+'">'+c+'<\/option>');
      ocs.innerHTML=o.join('');ocs.value=String(oc)}
    draw();dims();cur=0;mark(0,true);slider.max=N-1;slider.value=0;pos.textContent='1 / '+N;say();ui.tabs()}
  /* The panels, captions and size lines as render.render_steps writes them, for step 0. */
  function draw(){var P=D.p,Hp=D.h+P[0]+P[1],Wp=D.w+P[2]+P[3],conv=D.t==='conv',per=D.kh*D.kw,c,r,q,n,
    rows=[],cols=[],kt=[],html=[],sub=function(c){return D.ci>1?'<div class="d2s-sub">'+both(D,'channel')+' '+c+'<\/div>':''};
    for(r=0;r<Hp;r++)rows.push(false);for(q=0;q<Wp;q++)cols.push(false);
    for(n=0;n<D.oh;n++)for(r=0;r<D.kh;r++)rows[n*D.s[0]+r*D.d[0]]=true;
    for(n=0;n<D.ow;n++)for(q=0;q<D.kw;q++)cols[n*D.s[1]+q*D.d[1]]=true;
    if(conv)for(n=0;n<D.ci*per;n++)kt.push(fmt(D.K[oc*D.ci*per+n]));
    var kl=conv&&Wp<=16&&kt.every(function(s){return s.length<=3});root.classList[kl?'add':'remove']('d2s-kl');
    var pad=P[0]||P[1]||P[2]||P[3]?' <span class="d2s-sub">(+ '+both(D,'padded')+' '+padText(P)+')<\/span>':'';
    html.push('<figure class="d2s-panel"><figcaption>'+both(D,'input')+' '+D.h+'\u00d7'+D.w+pad+'<\/figcaption>');
    for(c=0;c<D.ci;c++){var tx=[],cl=[];for(r=0;r<Hp;r++)for(q=0;q<Wp;q++){var s=[],v=val(c,r,q);
        if(r<P[0]||r>=P[0]+D.h||q<P[2]||q>=P[2]+D.w)s.push('p');if(!(rows[r]&&cols[q]))s.push('u');
        tx.push(fmt(v));cl.push(s.join(' '))}
      var xv=[];for(r=0;r<Hp;r++)for(q=0;q<Wp;q++)xv.push(val(c,r,q));
      html.push(sub(c)+grid('x'+c,Hp,Wp,tx,cl,'d2s-x',null,Hp*Wp>=400&&range(D.X.slice(c*D.h*D.w,(c+1)*D.h*D.w)),xv))}
    html.push('<\/figure>');
    if(conv){html.push('<figure class="d2s-panel"><figcaption>'+both(D,'kernel')+' '+D.kh+'\u00d7'+D.kw+'<\/figcaption>');
      for(c=0;c<D.ci;c++)html.push(sub(c)+grid('k'+c,D.kh,D.kw,kt.slice(c*per,(c+1)*per),[],'d2s-k'));
      html.push('<div class="d2s-bias">'+both(D,'bias')+' = <span class="d2s-bv">'+fmt(D.b[oc])+'<\/span><\/div><\/figure>')}
    var ya=[],yt=[],yc=[],NN=D.oh*D.ow,yv=D.Y.slice(oc*NN,(oc+1)*NN);for(n=0;n<NN;n++){ya.push(fmt(yv[n]));yt.push(n?'':ya[n]);yc.push(n?'':'f')}
    ypx=NN>=400&&range(yv);
    html.push('<figure class="d2s-panel"><figcaption>'+both(D,'output')+' '+D.oh+'\u00d7'+D.ow+'<\/figcaption>'+
      grid('y',D.oh,D.ow,yt,yc,'d2s-y',ya,ypx,yv)+'<\/figure>');
    root.querySelector('.d2s-panels').innerHTML=html.join('');G=ui.grids();
    var lg=function(sw,on){var e=root.querySelector('.d2s-legend .sw-'+sw);if(e)e.hidden=!on},
      mx=D.mode==='max',pd=!!(P[0]||P[1]||P[2]||P[3]);
    lg('pad',pd&&!mx);lg('padmax',pd&&mx);lg('win',mx);lg('unused',rows.indexOf(false)>=0||cols.indexOf(false)>=0);
    var sz=root.querySelector('.d2s-size'),en=sizeLines(D,'en'),zh=sizeLines(D,'zh');
    sz.innerHTML='<b>'+both(D,'size')+'<\/b>'+en.map(function(t,a){return'<div>'+bothF(function(l){return l==='en'?t:zh[a]})+'<\/div>'}).join('')}
  /* Read the <select>s: padding, stride, dilation, window or kernel size, pooling mode. */
  function fromControls(){var v=function(k,d){var c=root.querySelector('[data-c="'+k+'"]');return c?+c.value:d},
    m=root.querySelector('[data-c="mode"]');
    set({padding:[v('pt',D.p[0]),v('pb',D.p[1]),v('pl',D.p[2]),v('pr',D.p[3])],stride:[v('sh',D.s[0]),v('sw',D.s[1])],
      dilation:[v('dh',D.d[0]),v('dw',D.d[1])],size:[v('kh',D.kh),v('kw',D.kw)],mode:m?m.value:D.mode})}
  /* Controls follow the state (after a set() from outside). */
  function toControls(){var m={pt:D.p[0],pb:D.p[1],pl:D.p[2],pr:D.p[3],sh:D.s[0],sw:D.s[1],dh:D.d[0],dw:D.d[1],kh:D.kh,kw:D.kw,mode:D.mode};
    for(var n=0;n<ctl.length;n++){var k=ctl[n].getAttribute('data-c');if(m[k]!==undefined&&ctl[n].value!==String(m[k]))ctl[n].value=String(m[k])}}
  function flat(a,out,shape,depth){if(typeof a==='number'){out.push(a);return}
    if(shape.length<=depth)shape.push(a.length);for(var n=0;n<a.length;n++)flat(a[n],out,shape,depth+1)}
  /* The kernel resized to kh x kw: overlapping values kept, new ones 0. */
  function resize(kh,kw){var co=D.K.length/(D.ci*D.kh*D.kw),K=[],o,c,a,b;
    for(o=0;o<co;o++)for(c=0;c<D.ci;c++)for(a=0;a<kh;a++)for(b=0;b<kw;b++)
      K.push(a<D.kh&&b<D.kw?D.K[((o*D.ci+c)*D.kh+a)*D.kw+b]:0);D.K=K}
  /* Click a cell of the input (not the padding) or the kernel: an <input> takes its place;
     Enter or leaving it commits, Escape cancels. */
  function edit(el,name,i){if(err||el.querySelector('input'))return;var c=+name.slice(1),isx=name.charAt(0)==='x',idx;
    if(isx){var r=Math.floor(i/W)-D.p[0],q=i%W-D.p[2];if(r<0||q<0||r>=D.h||q>=D.w)return;idx=(c*D.h+r)*D.w+q}
    else idx=(oc*D.ci+c)*D.kh*D.kw+i;
    var A=isx?D.X:D.K,old=A[idx],inp=document.createElement('input'),done=false,g=el.parentNode;
    /* While a cell holds an editor the grid is a group of cells, not an image (whose inside is hidden from assistive technology). */
    g.setAttribute('role','group');
    inp.type='text';inp.inputMode='decimal';inp.className='d2s-ed';inp.value=String(old);inp.setAttribute('aria-label',ui.L('edit'));
    function finish(ok){if(done)return;done=true;g.setAttribute('role','img');var v=parseFloat(inp.value);
      if(ok&&isFinite(v)&&v!==old){A[idx]=v;ui.dirty=true;recompute()}else{el.textContent=fmt(old);root.focus()}}
    inp.addEventListener('keydown',function(e){e.stopPropagation();if(e.key==='Enter'){e.preventDefault();finish(true)}
      else if(e.key==='Escape'){e.preventDefault();finish(false)}});
    inp.addEventListener('blur',function(){finish(true)});
    el.textContent='';el.appendChild(inp);inp.focus();inp.select()}
  /* A preset input ('x:edge', 'x:arange', 'x:rand', 'x:fm0'..'x:fm3') or kernel ('k:edge', 'k:sobx', ...). */
  function preset(p){var k=p.slice(2),c,r,q,h=D.h,w=D.w,img;
    if(p.charAt(0)==='x'){if(k==='edge'){h=6;w=8}else if(k.slice(0,2)==='fm'){img=fashion(+k.slice(2));h=w=28}
      var x=[];for(c=0;c<D.ci;c++){var m=[];for(r=0;r<h;r++){var row=[];for(q=0;q<w;q++)
        row.push(img?img[r][q]:k==='edge'?(q>=2&&q<6?0:1):k==='arange'?r*w+q:Math.floor(Math.random()*10));m.push(row)}x.push(m)}
      return set({x:x})}
    var K2=KP[k];if(!K2){K2=[];for(r=0;r<D.kh;r++){var kr=[];for(q=0;q<D.kw;q++)kr.push(Math.floor(Math.random()*5)-2);K2.push(kr)}}
    var K=[];for(var o=0;o<D.b.length;o++){var s=[];for(c=0;c<D.ci;c++)s.push(K2);K.push(s)}
    return set({k:K})}
  function set(C){C=C||{};var f,s;
    if(C.x!==undefined){f=[];s=[];flat(C.x,f,s,0);if(s.length===2)s.unshift(1);D.ci=s[0];D.h=s[1];D.w=s[2];D.X=f}
    if(C.k!==undefined){f=[];s=[];flat(C.k,f,s,0);while(s.length<4)s.unshift(1);D.K=f;D.kh=s[2];D.kw=s[3];
      D.co=s[0];if(D.b.length!==s[0])D.b=f.slice(0,s[0]).map(function(){return 0})}
    if(C.bias!==undefined)D.b=typeof C.bias==='number'?D.b.map(function(){return C.bias}):C.bias.slice();
    if(C.padding!==undefined)D.p=sides(C.padding);
    if(C.stride!==undefined)D.s=pair(C.stride);
    if(C.dilation!==undefined)D.d=pair(C.dilation);
    if(C.mode!==undefined&&D.t==='pool')D.mode=C.mode;
    if(C.size!==undefined){s=pair(C.size);if(D.t==='conv'&&(s[0]!==D.kh||s[1]!==D.kw))resize(s[0],s[1]);D.kh=s[0];D.kw=s[1]}
    ui.dirty=true;toControls();recompute();return handle.error()}
  var handle=root.d2lcnn={set:set,
    error:function(){return err?check(D,ui.lang()):''},
    shape:function(){return err?null:[D.t==='pool'?D.ci:D.b.length,D.oh,D.ow]},
    output:function(){if(err)return null;var o=[],c,i,NN=D.oh*D.ow;for(c=0;c<D.Y.length/NN;c++){var m=[];
      for(i=0;i<D.oh;i++)m.push(D.Y.slice(c*NN+i*D.ow,c*NN+(i+1)*D.ow));o.push(m)}return o},
    preset:preset,
    config:function(){return{padding:D.p.slice(),stride:D.s.slice(),dilation:D.d.slice(),size:[D.kh,D.kw],mode:D.mode}}};
  return{say:say}
}

/* Receptive field: click (or arrow to) a cell of a later layer; light every cell reaching it. */
function receptiveField(ui){
  var root=ui.root,D=ui.D,G=ui.G,lit=[],S=D.shapes,sel=D.sel;
  root.addEventListener('click',function(e){var g=e.target.parentNode,name=g&&g.getAttribute&&g.getAttribute('data-g');
    if(!name||name==='l0')return;var l=+name.slice(1),i=Array.prototype.indexOf.call(G[name],e.target);
    if(i>=0)pick(l,Math.floor(i/S[l][1]),i%S[l][1])});
  root.addEventListener('keydown',function(e){var k=e.key,l=sel[0],i=sel[1],j=sel[2];
    if((e.target.tagName==='BUTTON'&&(k===' '||k==='Enter'))||ui.scroller(e))return;
    if(k==='ArrowRight')j++;else if(k==='ArrowLeft')j--;else if(k==='ArrowDown')i++;else if(k==='ArrowUp')i--;else return;
    e.preventDefault();e.stopPropagation();
    pick(l,Math.max(0,Math.min(S[l][0]-1,i)),Math.max(0,Math.min(S[l][1]-1,j)))});
  function pick(l,i,j){for(var n=0;n<lit.length;n++){lit[n].classList.remove('r');lit[n].classList.remove('cur')}lit=[];
    var el=G['l'+l][i*S[l][1]+j];el.classList.add('cur');lit.push(el);sel=[l,i,j];
    var r1=i,c1=j;for(var m=l-1;m>=0;m--){r1+=D.ks[m][0]-1;c1+=D.ks[m][1]-1;
      for(var r=i;r<=r1;r++)for(var c=j;c<=c1;c++){el=G['l'+m][r*S[m][1]+c];el.classList.add('r');lit.push(el)}}say()}
  /* The sentence under the grids (render.rf_text writes the same). */
  function text(){var l=sel[0],i=sel[1],j=sel[2],r1=i,c1=j,
    name=function(m){return m===0?ui.L('rf_in'):ui.L('layer_n',{m:m})},s=name(l)+' ('+i+', '+j+')';
    for(var m=l-1;m>=0;m--){r1+=D.ks[m][0]-1;c1+=D.ks[m][1]-1;
      s+=ui.L('rf_span',{name:name(m),r0:i,r1:r1,c0:j,c1:c1})}
    return s+ui.L('rf_size',{h:r1-i+1,w:c1-j+1})}
  function say(){ui.math.textContent=text()}
  pick(sel[0],sel[1],sel[2]);
  return{say:say}
}
return{init:init,run:run,check:check,sizeLines:sizeLines,fmt:fmt}
}
})();
