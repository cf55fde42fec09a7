// ODK Web Forms 0.22.0 writes its own buttons and messages in English only (the form's own labels follow
// the form's languages). This puts them in Chinese: every text node and the few attributes people read are
// looked up as they appear. Pinned with the library: tests/self_report/test_resident_page.py fails when a
// text here no longer appears, or an English one appears that is not here.
const EXACT = new Map([
  ['Send', '提交'],
  ['Get location', '获取位置'],
  ['Finding your location', '正在获取您的位置'],
  ['Save location', '保存位置'],
  ['Cannot access location', '无法获取位置'],
  ['Try again', '重试'],
  ['Cancel', '取消'],
  ['Choose image', '选择照片'],
  ['Take picture', '拍照'],
  ['Remove', '删除'],
  ['Add', '添加'],
  ['Okay', '确定'],
  ['Yes', '是'],
  ['No', '否'],
  ['Clear', '清除'],
  ['Change language', '切换语言'],
  ['change language', '切换语言'],
  ['Powered by', '技术支持'],
  ['Unknown error', '未知错误'],
  ['Unable to load map', '无法加载地图'],
  // The form's languages, as the language menu names them (XLSForm's "中文 (zh)" and "English (en)").
  ['中文 (zh)', '中文'],
  ['English (en)', 'English'],
  ['1 question with error.', '有 1 个问题需要修改。'],
  ['Condition not satisfied: required', '此题必填'],
  ['Condition not satisfied: constraint', '填写内容不符合要求'],
]);
const PATTERNS = [
  [/^(\d+) questions with errors\.$/, (_, n) => `有 ${n} 个问题需要修改。`],
  [/^Accuracy: (.+) m,$/, (_, m) => `精度：${m} 米，`],
  [/^Location will be saved at (.+) m$/, (_, m) => `精度达到 ${m} 米时保存位置`],
  [/^Time taken to capture location: (.+)$/, (_, t) => `获取位置用时：${t}`],
  [/^Add (.+)$/, (_, what) => `添加${what}`],
];
const ATTRIBUTES = ['placeholder', 'aria-label', 'title'];

/** The Chinese for an English text of the library (surrounding spaces kept), or null. */
export function chinese(text) {
  const trimmed = text.trim();
  if (!trimmed || !/[A-Za-z]/.test(trimmed)) return null;
  let found = EXACT.get(trimmed);
  if (found === undefined) {
    for (const [pattern, replace] of PATTERNS) {
      if (pattern.test(trimmed)) { found = trimmed.replace(pattern, replace); break; }
    }
  }
  return found === undefined ? null : text.replace(trimmed, found);
}

function translateNode(node) {
  if (node.nodeType === Node.TEXT_NODE) {
    const zh = chinese(node.nodeValue);
    if (zh !== null && zh !== node.nodeValue) node.nodeValue = zh;
    return;
  }
  if (node.nodeType !== Node.ELEMENT_NODE) return;
  for (const name of ATTRIBUTES) {
    const value = node.getAttribute(name);
    const zh = value === null ? null : chinese(value);
    if (zh !== null && zh !== value) node.setAttribute(name, zh);
  }
  const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
  for (let next = walker.nextNode(); next; next = walker.nextNode()) translateNode(next);
}

/** Keep everything the library draws under `root` (and its dialogs, drawn at the end of <body>) in Chinese. */
export function translateWebForms(root) {
  const observer = new MutationObserver((mutations) => {
    for (const mutation of mutations) {
      if (mutation.type === 'characterData') translateNode(mutation.target);
      else if (mutation.type === 'attributes') translateNode(mutation.target);
      else mutation.addedNodes.forEach(translateNode);
    }
  });
  observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true,
                                    attributeFilter: ATTRIBUTES });
  translateNode(root);
}
