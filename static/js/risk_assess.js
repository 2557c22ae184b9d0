// The score and level of an assessment as its factor values are chosen, before saving.
// Only a preview: the server computes the score again from the inputs when the form is saved.
// Band rule as MethodVersion.level_of: the first band whose bound the score exceeds (or equals,
// when inclusive); the last band takes the rest.
(function () {
  "use strict";
  var box = document.querySelector("[data-risk-assess]");
  var methodsData = document.getElementById("risk-methods");
  var levelsData = document.getElementById("risk-levels");
  if (!box || !methodsData || !levelsData) return;
  var methods = JSON.parse(methodsData.textContent);
  var levels = {};
  JSON.parse(levelsData.textContent).forEach(function (l) { levels[l.level] = l; });
  var form = box.closest("form");
  var methodSelect = box.querySelector("select[name$='method']");
  var scoreOut = box.querySelector("[data-score]");
  var badge = box.querySelector("[data-level-badge]");

  function levelOf(bands, score) {
    for (var i = 0; i < bands.length - 1; i++) {
      var bound = Number(bands[i].above);
      if (score > bound || (bands[i].inclusive && score === bound)) return bands[i].level;
    }
    return bands[bands.length - 1].level;
  }

  function fieldOf(name) {
    return form.querySelector("[name='" + (methodSelect.name.replace(/method$/, "")) + name + "']");
  }

  function update() {
    var chosen = methodSelect.value;
    box.querySelectorAll("[data-method]").forEach(function (group) {
      group.hidden = group.getAttribute("data-method") !== chosen;
    });
    var method = methods[chosen];
    var score = null;
    if (method) {
      score = 1;
      method.factors.forEach(function (name) {
        var field = fieldOf(name);
        if (!field || field.value === "") score = null;
        else if (score !== null) score *= Number(field.value);
      });
    }
    if (score === null) {
      scoreOut.textContent = "—";
      badge.textContent = "";
      badge.className = "badge";
      return;
    }
    score = Math.round(score * 1000) / 1000;  // 0.1 × 10 × 70 is 70, not 70.00000000000001
    var level = levels[levelOf(method.bands, score)];
    scoreOut.textContent = String(score);
    badge.textContent = level ? level.label : "";
    badge.className = "badge risk-level-" + (level ? level.level : "");
    badge.setAttribute("data-level", level ? level.level : "");
  }

  box.addEventListener("change", update);
  update();
})();
