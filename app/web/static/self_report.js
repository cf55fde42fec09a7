// The resident's self-report page: ODK Web Forms renders the form the server wrote for this link (its
// village already filled in), and the report goes back as OpenRosa multipart with the page's own fields:
// the signed stamp from when the page was served, the honeypot, and the proof of work when one is asked.
import { createApp, h } from 'vue';
import { OdkWebForm, webFormsPlugin } from '@getodk/web-forms';
import { translateWebForms } from './web_forms_zh.js';

const page = JSON.parse(document.getElementById('report-page').textContent);
const notice = document.getElementById('notice');

function showNotice(html) {
  notice.innerHTML = html;
  notice.hidden = false;
  notice.scrollIntoView({ behavior: 'smooth', block: 'start' });
}

// A refusal comes back as the server's Chinese page: its message is shown above the form, whose answers stay.
async function showRefusal(response) {
  const text = await response.text();
  const found = new DOMParser().parseFromString(text, 'text/html').querySelector('main');
  showNotice(found ? found.innerHTML : `<h1>提交未成功（${response.status}）</h1><p>请稍后再试。</p>`);
}

// The proof of work, as the widget keeps it in its hidden form field (named "altcha"; empty until verified),
// read when sending: the widget starts at once (auto="onload") and may be verified before this module runs,
// so a statechange listener would miss it and the report would wait for a proof it already has.
const widget = document.getElementById('altcha');

function proofOfWork() {
  return widget.querySelector('input[name="altcha"]')?.value || null;
}

async function send(payload) {
  const body = payload.data[0];                       // FormData: xml_submission_file and one part per photo
  body.append(page.stampField, page.stamp);
  body.append(page.honeypotField, document.getElementById('trap').value);
  if (widget) {
    const proof = proofOfWork();
    if (!proof) {
      showNotice('<h1>请稍候</h1><p>安全验证尚未完成，请等页面下方的验证显示“已验证”后再提交。</p>');
      return false;
    }
    body.append(page.solutionField, proof);
  }
  let response;
  try {
    response = await fetch(page.submitUrl, { method: 'POST', body, headers: { Accept: 'application/json' } });
  } catch {
    showNotice('<h1>网络连接失败</h1><p>申报没有发送出去。请检查网络后再点“提交”，已填写的内容不会丢失。</p>');
    return false;
  }
  if (response.ok) {
    window.location.assign((await response.json()).thanks);
    return true;
  }
  await showRefusal(response);
  return false;
}

translateWebForms(document.getElementById('app'));
const formXml = await (await fetch(page.formUrl)).text();
document.getElementById('loading').remove();
createApp({
  render: () => h(OdkWebForm, {
    formXml,
    // jr://file-csv/admin_units.csv and the like: the form's files, under this link.
    fetchFormAttachment: (url) => fetch(page.attachmentsUrl + encodeURIComponent(String(url).split('/').pop())),
    onSubmit: async (payload) => { await send(payload); },
  }),
}).use(webFormsPlugin).mount('#app');
