// Downloads of the console's exports with their progress: the file is read as it streams, rows counted as
// they arrive (CSV: one per line, out of the X-Total-Count submissions the server announces) or megabytes
// received, then handed to the browser to save. A refusal shows the server's message.
const progress = document.getElementById('export-progress');

function show(text) {
  progress.hidden = false;
  progress.textContent = text;
}

async function download(link) {
  const response = await fetch(link.href, { credentials: 'same-origin' });
  if (!response.ok) {
    let message = `${response.status}`;
    try { message = (await response.json()).message; } catch { /* not JSON */ }
    show(`${progress.dataset.failed}: ${message}`);
    return;
  }
  const total = Number(response.headers.get('X-Total-Count') || 0);
  const counting = link.dataset.format === 'csv';
  const reader = response.body.getReader();
  const parts = [];
  let bytes = 0;
  let lines = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    bytes += value.length;
    if (counting) for (const byte of value) if (byte === 10) lines += 1;
    show(counting ? progress.dataset.rows.replace('{n}', Math.max(0, lines - 1)).replace('{total}', total)
                  : progress.dataset.bytes.replace('{mb}', (bytes / 1048576).toFixed(1)).replace('{total}', total));
  }
  const url = URL.createObjectURL(new Blob(parts, { type: response.headers.get('Content-Type') }));
  const save = document.createElement('a');
  save.href = url;
  save.download = link.dataset.filename;
  document.body.appendChild(save);
  save.click();
  save.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  show(progress.dataset.done.replace('{total}', total));
}

for (const link of document.querySelectorAll('a.export')) {
  link.addEventListener('click', (event) => {
    event.preventDefault();
    download(link);
  });
}
