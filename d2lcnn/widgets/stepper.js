/* d2lcnn window steppers: the one script of every stepper (d2lcnn/widgets/stepper.js).

   render.py embeds this file in each stepper's HTML, block comments and indentation removed,
   with __ID__ replaced by the stepper's content-hashed id. Plain ES5, so every notebook front
   end runs it. Only block comments here: the saved HTML must not contain two slashes.

   The handle. Each stepper is one root element
     <div class="d2s d2s-KIND" id="ID" data-d2s="ID" data-lang="en|zh" [data-auto="1"] tabindex="0">
   data-auto: follow the page's <html lang> (set once, at init). Inside it:
     grids    <div class="d2s-grid" data-g="NAME"> of <i> cells, row-major:
              x0, x1, ... padded input channels; k0, k1, ... kernel slices; y output;
              l0, l1, ... receptive-field layers (l0 the input)
     controls [data-a=reset|prev|play|next|slider|oc|lang] (oc: output-channel <select>)
     text     .d2s-math (the arithmetic of the current step), .d2s-pos ("3 / 16"), .d2s-hint
     numbers  <script type="application/json" class="d2s-data">, parsed once into D:
       t      'conv' | 'pool' | 'rf'
       L      {en: {...}, zh: {...}} label templates with {placeholders} (widgets/strings.py)
       conv and pool:
         ci, h, w   input channels, height, width (before padding)
         p, s, d    padding per side, stride, dilation, each [height, width]
         kh, kw     window size; oh, ow output size; oc output channel shown first
         X          input values, channel-major; Y every output channel's values
         ms         milliseconds per step when playing
         conv: K (c_o x c_i x kh x kw, flat) and b (bias per output channel)
         pool: mode ('max' | 'avg'), cip (count_include_pad, 0/1), dv (divisor override or 0)
       rf: shapes ([h, w] per layer), ks (kernel size per layer), sel ([layer, row, col] first lit)
   init(root) wires a root once and marks it data-ready="1". The script computes no output
   value: it moves classes and copies numbers from D, and writes the same text as frames.py. */
(function(){
var me=document.currentScript,roots=[];
if(me&&me.parentNode&&me.parentNode.getAttribute&&me.parentNode.getAttribute('data-d2s'))roots=[me.parentNode];
else roots=document.querySelectorAll('[data-d2s="__ID__"]');
for(var n=0;n<roots.length;n++)if(!roots[n].getAttribute('data-ready'))init(roots[n]);

/* Numbers as frames.fmt writes them: 2 decimals from 1 up, else 3, trailing zeros dropped. */
function fmt(v){if(v===-Infinity)return'-\u221e';if(v===Infinity)return'\u221e';if(v!==v)return'NaN';
  var s=v.toFixed(Math.abs(v)>=1?2:3);if(s.indexOf('.')>=0)s=s.replace(/0+$/,'').replace(/\.$/,'');
  return(s==='-0'||s==='')?'0':s}
/* A factor of a product: negative numbers in brackets. */
function fac(v){var s=fmt(v);return s.charAt(0)==='-'?'('+s+')':s}
/* A label template with its {placeholders} filled, as str.format does in Python. */
function fill(s,o){return s.replace(/\{(\w+)\}/g,function(m,k){return o.hasOwnProperty(k)?String(o[k]):m})}

/* What every view shares: the payload, the grids, labels in the shown language, controls. */
function init(root){
  root.setAttribute('data-ready','1');
  var ui={root:root,D:JSON.parse(root.querySelector('script.d2s-data').textContent),G:{},
    math:root.querySelector('.d2s-math')},gs=root.querySelectorAll('.d2s-grid'),hint=root.querySelector('.d2s-hint');
  for(var n=0;n<gs.length;n++)ui.G[gs[n].getAttribute('data-g')]=gs[n].children;
  if(hint)hint.style.display='none';
  if(root.getAttribute('data-auto')){var dl=(document.documentElement.lang||'').toLowerCase();
    root.setAttribute('data-lang',dl.indexOf('zh')===0?'zh':'en')}
  ui.L=function(k,o){return fill(ui.D.L[root.getAttribute('data-lang')][k],o||{})};
  ui.on=function(a,f){var b=root.querySelector('[data-a="'+a+'"]');
    if(b)b.addEventListener(a==='slider'?'input':a==='oc'?'change':'click',f);return b};
  var view;
  ui.on('lang',function(){root.setAttribute('data-lang',root.getAttribute('data-lang')==='zh'?'en':'zh');
    relabel(ui);view.say()});
  relabel(ui);
  view=ui.D.t==='rf'?receptiveField(ui):stepper(ui);
}
function relabel(ui){var s=ui.root.querySelector('[data-a="slider"]');if(s)s.setAttribute('aria-label',ui.L('position'))}

/* Convolution and pooling: one output cell per step. */
function stepper(ui){
  var root=ui.root,D=ui.D,G=ui.G,math=ui.math,oc=D.oc,timer=null,cur=0,N=D.oh*D.ow,W=D.w+2*D.p[1],
    tags=/ d2s-kl/.test(root.className),
    slider=ui.on('slider',function(){go(+slider.value)}),pos=root.querySelector('.d2s-pos'),
    playb=ui.on('play',function(){play(!timer)});
  say();
  ui.on('prev',function(){go(cur-1)});ui.on('next',function(){go(cur+1)});
  ui.on('reset',function(){play(false);go(0)});
  var ocs=ui.on('oc',function(){oc=+ocs.value;mark(cur,false);
    for(var n=0;n<=cur;n++)G.y[n].textContent=fmt(D.Y[oc*N+n]);
    for(var c=0;c<D.ci;c++)for(var q=0;q<D.kh*D.kw;q++)G['k'+c][q].textContent=fmt(D.K[(oc*D.ci+c)*D.kh*D.kw+q]);
    root.querySelector('.d2s-bv').textContent=fmt(D.b[oc]);mark(cur,true);say()});
  root.querySelector('.d2s-y').addEventListener('click',function(e){
    var i=Array.prototype.indexOf.call(G.y,e.target);if(i>=0)go(i)});
  root.addEventListener('keydown',function(e){var t=e.target.tagName,k=e.key;
    if(t==='INPUT'||t==='SELECT'||(t==='BUTTON'&&(k===' '||k==='Enter')))return;
    if(k==='ArrowRight'||k==='ArrowDown')go(cur+1);else if(k==='ArrowLeft'||k==='ArrowUp')go(cur-1);
    else if(k===' '||k==='Spacebar')play(!timer);else if(k==='Home')go(0);else if(k==='End')go(N-1);else return;
    e.preventDefault();e.stopPropagation()});

  /* The value under padded cell (r, q) of channel c: padding is 0, or -inf for max pooling. */
  function val(c,r,q){r-=D.p[0];q-=D.p[1];
    if(r<0||q<0||r>=D.h||q>=D.w)return D.mode==='max'?-Infinity:0;return D.X[(c*D.h+r)*D.w+q]}
  /* The padded-input (row, col) under each window entry at step t, row-major. */
  function cells(t){var i=Math.floor(t/D.ow),j=t%D.ow,o=[];
    for(var a=0;a<D.kh;a++)for(var b=0;b<D.kw;b++)o.push([i*D.s[0]+a*D.d[0],j*D.s[1]+b*D.d[1]]);return o}
  /* Outline (add) or clear the window of step t, its winner and its ×weight tags. */
  function mark(t,add){var cs=cells(t),best=-1,n;
    if(D.mode==='max')for(n=0;n<cs.length;n++)if(best<0||val(0,cs[n][0],cs[n][1])>val(0,cs[best][0],cs[best][1]))best=n;
    for(var c=0;c<D.ci;c++)for(n=0;n<cs.length;n++){var el=G['x'+c][cs[n][0]*W+cs[n][1]];
      if(add){el.classList.add('w');if(n===best)el.classList.add('win');
        if(tags)el.setAttribute('data-k',fmt(D.K[(oc*D.ci+c)*cs.length+n]))}
      else{el.classList.remove('w');el.classList.remove('win');el.removeAttribute('data-k')}}
    G.y[t].classList[add?'add':'remove']('cur')}
  /* The arithmetic of step t, line by line (frames.ConvFrame / PoolFrame .lines). */
  function lines(t){var cs=cells(t),y=fmt(D.Y[oc*N+t]),vs=[],n;
    if(D.t==='pool'){for(n=0;n<cs.length;n++)vs.push(val(0,cs[n][0],cs[n][1]));
      if(D.mode==='max')return['max('+vs.map(fmt).join(', ')+') = '+y];
      var dv=D.dv;if(!dv){dv=0;for(n=0;n<cs.length;n++){var r=cs[n][0]-D.p[0],q=cs[n][1]-D.p[1];
        if(D.cip||(r>=0&&q>=0&&r<D.h&&q<D.w))dv++}}
      return['('+vs.map(fac).join(' + ')+') / '+dv+' = '+y]}
    var terms=[],sums=[],b=D.b[oc],tail=b!==0?' + '+ui.L('bias')+' '+fac(b):'',out=[];
    for(var c=0;c<D.ci;c++){var acc=0,parts=[];for(n=0;n<cs.length;n++){var x=val(c,cs[n][0],cs[n][1]),
      k=D.K[(oc*D.ci+c)*cs.length+n];acc+=x*k;parts.push(fac(x)+'\u00d7'+fac(k))}terms.push(parts.join(' + '));sums.push(acc)}
    if(D.ci===1)return[terms[0]+tail+' = '+y];
    for(c=0;c<D.ci;c++)out.push(ui.L('channel')+' '+c+': '+terms[c]+' = '+fmt(sums[c]));
    out.push(sums.map(fac).join(' + ')+tail+' = '+y);return out}
  function say(){math.textContent=lines(cur).join('\n')}
  /* Move to step t: fill (or clear) the output cells in between, move the window. */
  function go(t){t=Math.max(0,Math.min(N-1,t));if(t===cur)return;
    follow(t);mark(cur,false);var n;
    if(t>cur)for(n=cur+1;n<=t;n++){G.y[n].textContent=fmt(D.Y[oc*N+n]);G.y[n].classList.add('f')}
    else for(n=t+1;n<=cur;n++){G.y[n].textContent='';G.y[n].classList.remove('f')}
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
  return{say:say}
}

/* Receptive field: click (or arrow to) a cell of a later layer; light every cell reaching it. */
function receptiveField(ui){
  var root=ui.root,D=ui.D,G=ui.G,lit=[],S=D.shapes,sel=D.sel;
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
})();
