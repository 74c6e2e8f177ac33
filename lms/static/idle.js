// Shared devices: count down to signing out, then sign out (templates/idle/_bar.html).
// The server ends an idle session too (lms.idle); this page acts a little before it, so the
// person sees why. Activity on the page (a key, a tap) or "Stay signed in" starts it again.
(function () {
  "use strict";
  var bar = document.getElementById("idle-bar");
  if (!bar) { return; }
  var total = Number(bar.dataset.countdown) * 1000;
  var warning = Number(bar.dataset.warning) * 1000;
  var form = document.getElementById("idle-signout");
  var box = document.getElementById("idle-warning");
  var clock = document.getElementById("idle-clock");
  var deadline = Date.now() + total;
  var lastSent = Date.now();
  var timer;

  function minutesAndSeconds(ms) {
    var seconds = Math.max(0, Math.ceil(ms / 1000));
    var rest = seconds % 60;
    return Math.floor(seconds / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function signOut() {
    clearInterval(timer);
    document.getElementById("idle-reason").disabled = false;
    form.submit();
  }

  function keepAlive() {
    lastSent = Date.now();
    var token = form.querySelector("input[name=csrf_token]").value;
    fetch(bar.dataset.keepAlive, {
      method: "POST",
      headers: { "X-CSRFToken": token },
      credentials: "same-origin",
      redirect: "manual"
    }).then(function (response) {
      if (response.status === 204) {
        deadline = Date.now() + total;
        tick();
      } else {
        window.location.reload();  // signed out meanwhile: the server says so
      }
    });
  }

  function tick() {
    var left = deadline - Date.now();
    if (left <= 0) {
      signOut();
    } else if (left <= warning) {
      clock.textContent = minutesAndSeconds(left);
      box.hidden = false;
    } else {
      box.hidden = true;
    }
  }

  function activity() {
    // At most one request per quarter of the countdown (and never while it shows:
    // then only the button keeps the session).
    if (box.hidden && Date.now() - lastSent > total / 4) { keepAlive(); }
  }

  document.getElementById("idle-stay").addEventListener("click", keepAlive);
  document.addEventListener("keydown", activity, true);
  document.addEventListener("pointerdown", activity, true);
  timer = setInterval(tick, 1000);
})();
