// The segment rule builder: the rules JSON (audiences/segments/language.py) as nested groups of conditions.
// Fields, operators and choices come from the segment field registry (rendered into the page as JSON); every
// change is written back to the JSON textarea (the "advanced" view, which the form saves) and previewed with
// POST /api/v1/segments/preview. Editing the JSON redraws the builder from it.
(function () {
  "use strict";

  const OP_LABELS = {
    eq: "is", ne: "is not", in: "is one of", not_in: "is none of", gt: ">", gte: "≥", lt: "<", lte: "≤",
    between: "is between", contains: "contains", exists: "is known", within_days: "within the last (days)",
    older_than_days: "more than … days ago",
  };
  const ATTRIBUTE = "attributes.";

  function csrfToken() {
    const match = document.cookie.match(/(?:^|; )csrftoken=([^;]*)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function element(tag, props, children) {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    (children || []).forEach(function (child) { node.append(child); });
    return node;
  }

  function select(options, value, onChange, label) {
    const node = element("select");
    node.setAttribute("aria-label", label);
    options.forEach(function ([optionValue, text]) {
      node.append(element("option", {value: optionValue, textContent: text, selected: optionValue === value}));
    });
    node.addEventListener("change", function () { onChange(node.value); });
    return node;
  }

  function input(value, onChange, label, type) {
    const node = element("input", {type: type || "text", value: value === undefined || value === null ? "" : String(value)});
    node.setAttribute("aria-label", label);
    node.addEventListener("input", function () { onChange(node.value); });
    return node;
  }

  function button(text, onClick, className) {
    const node = element("button", {type: "button", textContent: text, className: "rule-button " + (className || "")});
    node.addEventListener("click", onClick);
    return node;
  }

  function Builder(root) {
    this.root = root;
    this.textarea = root.querySelector("textarea");
    this.tree = root.querySelector(".rule-builder-tree");
    this.count = root.querySelector(".rule-builder-count");
    this.previewUrl = root.dataset.previewUrl;
    const catalog = JSON.parse(root.querySelector("#rule-builder-catalog").textContent);
    this.fields = {};  // in the catalog's order: by label
    catalog.fields.forEach((field) => { this.fields[field.name] = field; });
    // A new condition starts on a field that needs nothing beyond a value (an amount also needs its currency).
    const plain = catalog.fields.find((field) => field.kind !== "money") || catalog.fields[0];
    this.newConditionField = plain ? plain.name : "";
    this.attributeOps = catalog.attribute_ops;
    this.segments = catalog.segments;
    this.timer = null;
    this.textarea.addEventListener("input", () => this.load(true));
    this.load(false);
  }

  Builder.prototype.field = function (name) {
    if (typeof name === "string" && name.startsWith(ATTRIBUTE)) {
      return {name: name, kind: "json", ops: this.attributeOps, choices: [], within_days: false};
    }
    return this.fields[name];
  };

  // Read the JSON and draw it; with `preview`, count it too (the JSON was edited by hand).
  Builder.prototype.load = function (preview) {
    const text = this.textarea.value.trim();
    if (!text || text === "null") {  // a new segment's empty field
      this.rules = {all: []};
    } else {
      try {
        this.rules = JSON.parse(text);
      } catch (error) {
        this.tree.replaceChildren(element("p", {className: "errornote", textContent: "The JSON does not parse: " + error.message}));
        return;
      }
    }
    if (!this.rules || typeof this.rules !== "object" || Array.isArray(this.rules)) {
      this.tree.replaceChildren(element("p", {className: "errornote", textContent: "The rules must be a group such as {\"all\": [...]}."}));
      return;
    }
    this.draw();
    if (preview || (text && text !== "null")) this.schedulePreview();
  };

  Builder.prototype.draw = function () {
    this.tree.replaceChildren(this.node(this.rules, (replacement) => { this.rules = replacement; }, true));
  };

  // Something changed: the JSON follows, the tree is redrawn (when its shape changed) and the count follows.
  Builder.prototype.changed = function (redraw) {
    this.textarea.value = JSON.stringify(this.rules, null, 2);
    if (redraw) this.draw();
    this.schedulePreview();
  };

  Builder.prototype.schedulePreview = function () {
    clearTimeout(this.timer);
    if (!complete(this.rules)) {  // a condition still being filled in: counting it could only fail
      this.count.classList.remove("errornote");
      this.count.textContent = "Fill in every condition to see how many customers match.";
      return;
    }
    this.timer = setTimeout(() => this.preview(), 350);
  };

  function blank(value) {
    return value === "" || (Array.isArray(value) && (!value.length || value.some(blank)));
  }

  // Whether every condition and event has its value (anything the builder does not draw is left to the server).
  function complete(node) {
    if (!node || typeof node !== "object") return true;
    if (Array.isArray(node.all) || Array.isArray(node.any)) return (node.all || node.any).every(complete);
    if ("not" in node) return complete(node.not);
    if ("field" in node) return !blank(node.value);
    if ("event" in node) {
      return !blank(node.event) && Object.entries(node.properties || {}).every(([key, value]) => key.trim() !== "" && value !== "");
    }
    return true;
  }

  Builder.prototype.preview = async function () {
    this.count.textContent = "Counting…";
    let response;
    try {
      response = await fetch(this.previewUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken()},
        body: JSON.stringify({rules: this.rules}),
      });
    } catch (error) {
      this.count.textContent = "The count is not available now.";
      return;
    }
    const answer = await response.json();
    this.count.classList.toggle("errornote", !response.ok);
    if (response.ok) {
      const sample = answer.sample.length ? " Sample: " + answer.sample.join(", ") : "";
      this.count.textContent = answer.count.toLocaleString("en") + " customers match now." + sample;
    } else {
      const details = Object.values(answer.fields || {}).flat().join(" ");
      this.count.textContent = answer.message + (details && !answer.message.includes(details) ? " " + details : "");
    }
  };

  // One node of the tree; `replace` swaps it in its parent (for wrapping in "not" and unwrapping).
  Builder.prototype.node = function (node, replace, isRoot) {
    if (node && (Array.isArray(node.all) || Array.isArray(node.any))) return this.group(node, replace, isRoot);
    if (node && "not" in node) return this.negation(node, replace);
    if (node && "field" in node) return this.condition(node);
    if (node && "event" in node) return this.event(node);
    if (node && "segment" in node) return this.segment(node);
    return this.raw(node, replace);
  };

  Builder.prototype.group = function (node, replace, isRoot) {
    const kind = Array.isArray(node.all) ? "all" : "any";
    const box = element("div", {className: "rule-group"});
    const header = element("div", {className: "rule-row"}, [
      select([["all", "All of these"], ["any", "Any of these"]], kind, (value) => {
        const children = node[kind];
        delete node[kind];
        node[value] = children;
        this.changed(true);
      }, "Match"),
    ]);
    box.append(header);
    const list = element("div", {className: "rule-children"});
    node[kind].forEach((child, index) => {
      const replaceChild = (replacement) => { node[kind][index] = replacement; };
      const row = element("div", {className: "rule-child"}, [this.node(child, replaceChild, false)]);
      row.append(
        button("Not", () => { node[kind][index] = {not: child}; this.changed(true); }, "rule-not"),
        button("×", () => { node[kind].splice(index, 1); this.changed(true); }, "rule-remove"),
      );
      list.append(row);
    });
    if (!node[kind].length) list.append(element("p", {className: "help", textContent: "Add a condition to start."}));
    box.append(list);
    const add = (child) => () => { node[kind].push(child()); this.changed(true); };
    box.append(element("div", {className: "rule-row rule-add"}, [
      button("+ Condition", add(() => this.blankCondition(this.newConditionField))),
      button("+ Group", add(() => ({any: []}))),
      button("+ Event", add(() => ({event: "", within_days: 30}))),
      button("+ In segment", add(() => ({segment: this.segments.length ? this.segments[0][0] : ""}))),
    ]));
    if (isRoot) box.classList.add("rule-root");
    return box;
  };

  Builder.prototype.negation = function (node, replace) {
    const box = element("div", {className: "rule-group rule-negation"});
    box.append(element("div", {className: "rule-row"}, [
      element("strong", {textContent: "Not:"}),
      button("Remove “not”", () => { replace(node.not); this.changed(true); }),
    ]));
    box.append(this.node(node.not, (replacement) => { node.not = replacement; }, false));
    return box;
  };

  Builder.prototype.blankCondition = function (name) {
    const field = this.field(name);
    const condition = {field: name, op: field.ops[0]};
    condition.value = this.blankValue(field, condition.op);
    return condition;
  };

  Builder.prototype.blankValue = function (field, op) {
    if (op === "exists") return true;
    if (op === "within_days" || op === "older_than_days") return 30;
    if (op === "in" || op === "not_in") return [];
    if (op === "between") return ["", ""];
    if (field.kind === "choice") return field.choices.length ? field.choices[0][0] : "";
    if (field.kind === "boolean") return true;
    return "";
  };

  Builder.prototype.condition = function (node) {
    const field = this.field(node.field);
    const row = element("div", {className: "rule-row rule-condition"});
    const names = Object.values(this.fields).map((known) => [known.name, known.label]);
    const isAttribute = typeof node.field === "string" && node.field.startsWith(ATTRIBUTE);
    names.push([ATTRIBUTE, "Custom attribute…"]);
    row.append(select(names, isAttribute ? ATTRIBUTE : node.field, (value) => {
      Object.keys(node).forEach((key) => delete node[key]);
      Object.assign(node, this.blankCondition(value === ATTRIBUTE ? ATTRIBUTE + "key" : value));
      this.changed(true);
    }, "Field"));
    if (isAttribute) {
      row.append(input(node.field.slice(ATTRIBUTE.length), (value) => { node.field = ATTRIBUTE + value; this.changed(false); }, "Attribute key"));
    }
    if (!field) {
      row.append(element("span", {className: "errornote", textContent: "Unknown field " + node.field}));
      return row;
    }
    const opLabels = field.op_labels || {};
    row.append(select(field.ops.map((op) => [op, opLabels[op] || OP_LABELS[op] || op]), node.op, (value) => {
      node.op = value;
      node.value = this.blankValue(field, value);
      this.changed(true);
    }, "Operator"));
    row.append(this.valueEditor(node, field));
    (field.options || []).forEach(([key, label]) => {
      const option = input(node[key], (value) => {
        if (value.trim() === "") delete node[key]; else node[key] = value.trim();
        this.changed(false);
      }, label);
      option.placeholder = label;
      row.append(option);
    });
    if (field.kind === "money") {
      const currency = input(node.currency, (value) => {
        if (value.trim() === "") delete node.currency; else node.currency = value.trim().toUpperCase();
        this.changed(false);
      }, "Currency");
      currency.placeholder = "currency, e.g. TZS";
      row.append(currency);
    }
    if (field.within_days) {
      const days = input(node.within_days, (value) => {
        if (value === "") delete node.within_days; else node.within_days = toNumber(value);
        this.changed(false);
      }, "Within days", "number");
      days.placeholder = "any time";
      row.append(element("span", {textContent: "within days"}), days);
    }
    if (field.description) row.title = field.description;
    return row;
  };

  function toNumber(text) {
    return /^-?\d+$/.test(text.trim()) ? parseInt(text, 10) : text;
  }

  // What a typed value means for a field's kind: whole numbers as numbers, amounts as strings ("100.00").
  function scalar(kind, text) {
    if (kind === "integer") return toNumber(text);
    if (kind === "boolean") return text === "true";
    if (kind === "json") {
      const trimmed = text.trim();
      if (trimmed === "true" || trimmed === "false") return trimmed === "true";
      if (trimmed !== "" && !isNaN(Number(trimmed))) return Number(trimmed);
      return text;
    }
    return text;
  }

  Builder.prototype.valueEditor = function (node, field) {
    const op = node.op;
    const set = (value) => { node.value = value; this.changed(false); };
    const yesNo = [["true", "yes"], ["false", "no"]];
    if (op === "exists") return select(yesNo, String(node.value), (value) => set(value === "true"), "Value");
    if (op === "within_days" || op === "older_than_days") return input(node.value, (value) => set(toNumber(value)), "Days", "number");
    if ((op === "in" || op === "not_in") && field.kind === "choice") {
      const multiple = element("select", {multiple: true, size: Math.min(field.choices.length, 6)});
      multiple.setAttribute("aria-label", "Values");
      field.choices.forEach(([value, label]) => {
        multiple.append(element("option", {value: value, textContent: label, selected: (node.value || []).includes(value)}));
      });
      multiple.addEventListener("change", () => set(Array.from(multiple.selectedOptions).map((option) => option.value)));
      return multiple;
    }
    if (op === "in" || op === "not_in") {
      const shown = Array.isArray(node.value) ? node.value.join(", ") : "";
      const list = input(shown, (value) => set(value.split(",").map((item) => item.trim()).filter(Boolean).map((item) => scalar(field.kind, item))), "Values, separated by commas");
      list.placeholder = "a, b, c";
      return list;
    }
    if (op === "between") {
      const pair = Array.isArray(node.value) ? node.value : ["", ""];
      return element("span", {}, [
        input(pair[0], (value) => set([scalar(field.kind, value), node.value[1]]), "From"),
        document.createTextNode(" and "),
        input(pair[1], (value) => set([node.value[0], scalar(field.kind, value)]), "To"),
      ]);
    }
    if (field.kind === "choice") return select(field.choices, node.value, set, "Value");
    if (field.kind === "boolean") return select(yesNo, String(node.value), (value) => set(value === "true"), "Value");
    const single = input(node.value, (value) => set(scalar(field.kind, value)), "Value", field.kind === "integer" ? "number" : "text");
    if (field.kind === "datetime") single.placeholder = "2026-01-31";
    if (field.kind === "money") single.placeholder = "100000.00";
    return single;
  };

  Builder.prototype.event = function (node) {
    const optional = (key, label) => {
      const box = input(node[key], (value) => {
        if (value === "") delete node[key]; else node[key] = toNumber(value);
        this.changed(false);
      }, label, "number");
      box.placeholder = "any";
      return box;
    };
    return element("div", {className: "rule-row rule-event"}, [
      element("span", {textContent: "Had event"}),
      input(node.event, (value) => { node.event = value; this.changed(false); }, "Event type"),
      element("span", {textContent: "at least"}), optional("min_count", "At least (times)"),
      element("span", {textContent: "times, within days"}), optional("within_days", "Within days"),
      this.eventProperties(node),
    ]);
  };

  // A property's value as typed: one value, or several separated by commas (any of them: {"in": [...]}).
  function propertyText(value) {
    if (value && typeof value === "object" && Array.isArray(value.in)) return value.in.join(", ");
    return value === undefined || value === null ? "" : String(value);
  }

  function propertyValue(text) {
    const parts = text.split(",").map((part) => part.trim()).filter(Boolean);
    if (parts.length > 1) return {in: parts.map((part) => scalar("json", part))};
    return text.trim() === "" ? "" : scalar("json", text.trim());
  }

  // The event's properties, one "name = value" row each (language.py: equality, or any of several values).
  Builder.prototype.eventProperties = function (node) {
    const box = element("div", {className: "rule-properties"});
    const entries = Object.entries(node.properties || {}).map(([key, value]) => ({key: key, text: propertyText(value)}));
    const write = () => {
      const properties = {};
      entries.forEach((entry) => { properties[entry.key] = propertyValue(entry.text); });
      if (entries.length) node.properties = properties; else delete node.properties;
      this.changed(false);
    };
    const draw = () => {
      const rows = entries.map((entry, index) => {
        const name = input(entry.key, (value) => { entry.key = value.trim(); write(); }, "Property name");
        name.placeholder = "model";
        const value = input(entry.text, (text) => { entry.text = text; write(); }, "Property value");
        value.placeholder = "Corolla, or Corolla, Camry";
        return element("div", {className: "rule-row rule-property"}, [
          element("span", {textContent: "with property"}), name, element("span", {textContent: "="}), value,
          button("×", () => { entries.splice(index, 1); write(); draw(); }, "rule-remove"),
        ]);
      });
      box.replaceChildren(...rows, button("+ Property", () => { entries.push({key: "", text: ""}); write(); draw(); }));
    };
    draw();
    return box;
  };

  Builder.prototype.segment = function (node) {
    const options = this.segments.map(([code, name]) => [code, name + " (" + code + ")"]);
    if (!this.segments.some(([code]) => code === node.segment)) options.unshift([node.segment, node.segment]);
    return element("div", {className: "rule-row rule-segment"}, [
      element("span", {textContent: "Is in segment"}),
      select(options, node.segment, (value) => { node.segment = value; this.changed(false); }, "Segment"),
    ]);
  };

  // A node the builder does not draw is kept as it is, editable as JSON.
  Builder.prototype.raw = function (node, replace) {
    const box = element("textarea", {rows: 3, cols: 60, value: JSON.stringify(node)});
    box.setAttribute("aria-label", "Rule as JSON");
    box.addEventListener("change", () => {
      try { replace(JSON.parse(box.value)); this.changed(true); } catch (error) { box.classList.add("errors"); }
    });
    return box;
  };

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".rule-builder").forEach(function (root) { root.builder = new Builder(root); });
  });
})();
