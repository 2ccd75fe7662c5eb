// Vietnamese labels for Datasette's own pages (table, row, database, query).
// Datasette 0.65 has no translations; this swaps a fixed list of its interface
// strings after the page loads. Only whole, known strings are replaced, only
// with constant text (textContent / value), so no user text is touched or
// interpreted. Without script the pages simply stay in English.
(function () {
  "use strict";
  var TEXT = {
    "Search:": "Tìm:",
    "- column -": "- cột -",
    "- remove filter -": "- bỏ lọc -",
    "Sort...": "Sắp xếp...",
    "descending": "giảm dần",
    "Next page": "Trang sau",
    "Advanced export": "Xuất dữ liệu",
    "View and edit SQL": "Xem và sửa SQL",
    "advanced": "nâng cao",
    "default": "mặc định",
    "Tables": "Các bảng",
    "Queries": "Truy vấn",
    "Views": "Khung nhìn",
    "Custom SQL query": "Truy vấn SQL",
    "Links from other tables": "Liên kết từ các bảng khác",
    "Query parameters": "Tham số truy vấn",
    "Edit SQL": "Sửa SQL",
    "Log out": "Đăng xuất",
    "Log in": "Đăng nhập",
    "home": "trang chủ",
    "Suggested facets:": "Gợi ý nhóm:",
    "CSV options:": "Tùy chọn CSV:",
    "download file": "tải tệp về",
    "expand labels": "kèm nhãn",
    "stream all rows": "mọi dòng",
    "JSON shape:": "Dạng JSON:",
  };
  // Facet titles are column names; only those headings are renamed.
  var FACETS = {
    "event_id": "Sự kiện",
    "units (array)": "Đơn vị",
    "tags (array)": "Từ khóa",
    "year": "Năm",
    "camera": "Máy chụp",
  };
  // Rows, facet values and the plugin's pages' catalog text: never touched.
  var DATA = "tbody, .facet-results ul, .archive-grid, .archive-results, .archive-facts dd, " +
    ".archive-description, .archive-preview, .archive-lightbox, .archive-events, h1, " +
    ".archive-timeline-events, input, textarea";
  var BUTTONS = { "Apply": "Lọc", "Export CSV": "Xuất CSV", "Run SQL": "Chạy SQL" };
  // Datasette's sentences around data, each replaced only where its English wording stands.
  var PATTERNS = [
    [/^(\s*[\d,]+) rows?\b/, "$1 dòng"],
    [/ where search matches /, " khớp tìm kiếm "],
    [/ sorted by (\S+) descending/, " xếp theo $1 giảm dần"],
    [/ sorted by (\S+)/, " xếp theo $1"],
    [/^\s*This data as\s*$/, "Dữ liệu này dạng "],
    [/Powered by/, "Chạy trên"],
    [/Queries took/, "Truy vấn mất"],
    [/Data license:/, "Giấy phép dữ liệu:"],
  ];
  function has(table, key) {
    return Object.prototype.hasOwnProperty.call(table, key);
  }
  function relabel(root) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    nodes.forEach(function (node) {
      var parent = node.parentNode;
      if (!parent || /^(SCRIPT|STYLE|TEXTAREA|PRE|CODE)$/.test(parent.nodeName)) return;
      if (parent.closest(DATA)) return;
      var text = node.nodeValue.trim();
      if (parent.closest(".facet-info-name") && has(FACETS, text)) {
        node.nodeValue = node.nodeValue.replace(text, FACETS[text]);
        return;
      }
      if (has(TEXT, text)) {
        node.nodeValue = node.nodeValue.replace(text, TEXT[text]);
        return;
      }
      PATTERNS.forEach(function (p) { node.nodeValue = node.nodeValue.replace(p[0], p[1]); });
    });
    root.querySelectorAll("input[type=submit], button").forEach(function (el) {
      var key = (el.value || el.textContent || "").trim();
      if (!has(BUTTONS, key)) return;
      if (el.tagName === "INPUT") el.value = BUTTONS[key]; else el.textContent = BUTTONS[key];
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.documentElement.lang = "vi";
    relabel(document.body);
  });
})();
