/* hubbot sandbox web chat.
 * Plain ES2017 for old phones: no framework, no build step.
 * Bot and user content is never assigned to innerHTML: every node is built by hand and
 * formatting comes from the message entities (UTF-16 offsets, which JS strings use too).
 */
(function () {
  'use strict';

  var STORAGE_KEY = 'hubbot-sandbox-session';
  var POLL_MS = 700;
  var SESSION_EVERY = 6; // refresh commands and block state every few polls
  var WINDOW = 40; // re-read the last messages so edits and deletions show up
  var LANGUAGES = ['de', 'en', 'ar', 'fa', 'uk', 'ru', 'tr', 'fr', 'es', 'pl'];
  var SAFE_LINK = /^(https?:|tg:|mailto:)/i;

  var state = {
    session: null, // {userId, name, lang}
    nodes: {}, // message_id -> {node, signature}
    maxId: 0,
    fullRefresh: true,
    answersSeen: -1,
    blocked: false,
    replyKeyboard: null,
    pollTimer: null,
    polls: 0,
    offline: false,
    commands: []
  };

  function $(id) { return document.getElementById(id); }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  async function api(path, body) {
    var options = body === undefined ? {} : {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body)
    };
    var response = await fetch(path, options);
    var data = await response.json();
    if (!response.ok) {
      throw new Error((data && data.description) || ('HTTP ' + response.status));
    }
    return data;
  }

  /* ---------- session ---------- */

  function loadSession() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(STORAGE_KEY) || 'null');
      if (saved && typeof saved.userId === 'number') { return saved; }
    } catch (error) { /* a broken entry just means a new user */ }
    return null;
  }

  function saveSession(session) {
    try { window.localStorage.setItem(STORAGE_KEY, JSON.stringify(session)); } catch (error) { /* private mode */ }
  }

  function defaultLanguage() {
    var wanted = String(navigator.language || 'en').slice(0, 2).toLowerCase();
    return LANGUAGES.indexOf(wanted) >= 0 ? wanted : 'en';
  }

  function randomUserId() {
    return 100000000 + Math.floor(Math.random() * 899999999);
  }

  function showSetup() {
    stopPolling();
    $('setup').hidden = false;
    $('chat').hidden = true;
    $('chat-actions').hidden = true;
    $('language').value = defaultLanguage();
    $('name').focus();
  }

  function showChat() {
    $('setup').hidden = true;
    $('chat').hidden = false;
    $('chat-actions').hidden = false;
    startPolling();
    $('text').focus();
  }

  async function start() {
    var name = $('name').value.trim() || 'Tester';
    state.session = { userId: randomUserId(), name: name, lang: $('language').value };
    saveSession(state.session);
    resetView();
    showChat();
    await sendMessage({ text: '/start' });
  }

  function newUser() {
    window.localStorage.removeItem(STORAGE_KEY);
    state.session = null;
    resetView();
    $('name').value = '';
    showSetup();
  }

  function resetView() {
    $('messages').textContent = '';
    state.nodes = {};
    state.maxId = 0;
    state.fullRefresh = true;
    state.answersSeen = -1;
    state.replyKeyboard = null;
    renderReplyKeyboard();
  }

  /* ---------- sending ---------- */

  async function sendMessage(fields) {
    var session = state.session;
    if (!session) { return; }
    var body = { user_id: session.userId, first_name: session.name, language_code: session.lang };
    Object.keys(fields).forEach(function (key) { body[key] = fields[key]; });
    try {
      await api('/sandbox/api/send', body);
      if (state.blocked) { state.blocked = false; renderBlocked(); }
    } catch (error) {
      toast('Could not send: ' + error.message, false);
    }
    pollSoon();
  }

  function sendComposer() {
    var box = $('text');
    var text = box.value;
    if (!text.trim()) { return; }
    box.value = '';
    autoGrow();
    sendMessage({ text: text });
  }

  async function press(messageId, data, button) {
    button.disabled = true;
    try {
      await api('/sandbox/api/press', { user_id: state.session.userId, message_id: messageId, data: data });
    } catch (error) {
      toast('Button failed: ' + error.message, false);
    }
    setTimeout(function () { button.disabled = false; }, 600);
    pollSoon();
  }

  async function toggleBlock() {
    var route = state.blocked ? '/sandbox/api/unblock' : '/sandbox/api/block';
    try {
      await api(route, { user_id: state.session.userId });
      state.blocked = !state.blocked;
      renderBlocked();
      note(state.blocked ? 'You blocked the bot.' : 'You unblocked the bot.');
    } catch (error) {
      toast(error.message, false);
    }
  }

  function renderBlocked() {
    var button = $('block');
    button.textContent = state.blocked ? 'Unblock' : 'Block bot';
    button.className = state.blocked ? 'small active' : 'small';
  }

  /* ---------- rendering formatted text ---------- */

  function entityElement(entity, text) {
    var node;
    switch (entity.type) {
      case 'bold': return el('strong');
      case 'italic': return el('em');
      case 'underline': return el('u');
      case 'strikethrough': return el('s');
      case 'code': return el('code');
      case 'pre':
        node = el('pre');
        if (entity.language) { node.setAttribute('data-language', entity.language); }
        return node;
      case 'blockquote':
      case 'expandable_blockquote':
        return el('blockquote');
      case 'spoiler':
        node = el('span', 'spoiler');
        node.addEventListener('click', function () { node.classList.add('revealed'); });
        return node;
      case 'text_link':
      case 'url':
        var href = entity.type === 'url' ? text : entity.url;
        if (entity.type === 'url' && !/^[a-z]+:/i.test(href)) { href = 'http://' + href; }
        if (!SAFE_LINK.test(href || '')) { return el('span'); }
        node = el('a');
        node.href = href;
        node.target = '_blank';
        node.rel = 'noopener noreferrer';
        return node;
      case 'bot_command':
        node = el('span', 'command');
        node.addEventListener('click', function () { sendMessage({ text: text }); });
        return node;
      default:
        return el('span', 'entity-' + String(entity.type).replace(/[^a-z_]/g, ''));
    }
  }

  function appendText(parent, text) {
    if (text) { parent.appendChild(document.createTextNode(text)); }
  }

  // Entities from Telegram nest properly; anything overlapping is clipped to its parent.
  function buildRange(parent, text, start, end, entities) {
    var pos = start;
    var i = 0;
    while (i < entities.length) {
      var entity = entities[i];
      var from = Math.max(entity.offset, pos);
      var to = Math.min(entity.offset + entity.length, end);
      if (to <= from) { i += 1; continue; }
      appendText(parent, text.slice(pos, from));
      var inner = [];
      var j = i + 1;
      while (j < entities.length && entities[j].offset < to) { inner.push(entities[j]); j += 1; }
      var node = entityElement(entity, text.slice(from, to));
      buildRange(node, text, from, to, inner);
      parent.appendChild(node);
      pos = to;
      i = j;
    }
    appendText(parent, text.slice(pos, end));
  }

  function formattedText(text, entities) {
    var container = el('div', 'text');
    var sorted = (entities || []).slice().sort(function (a, b) {
      return a.offset - b.offset || b.length - a.length;
    });
    buildRange(container, text || '', 0, (text || '').length, sorted);
    return container;
  }

  /* ---------- rendering messages ---------- */

  function mediaNode(message) {
    var media = message.media || {};
    var node = el('div', 'media ' + message.kind);
    switch (message.kind) {
      case 'sticker': node.textContent = (media.sticker && media.sticker.emoji) || '🖼️'; break;
      case 'photo':
        var sizes = media.photo || [];
        if (sizes.length) {
          var img = el('img');
          img.alt = 'Photo';
          img.src = '/sandbox/files/' + encodeURIComponent(sizes[sizes.length - 1].file_id);
          node.appendChild(img);
        } else { node.textContent = '🖼️ Photo'; }
        break;
      case 'voice': node.textContent = '🎤 Voice message (' + ((media.voice && media.voice.duration) || 0) + ' s)'; break;
      case 'video': node.textContent = '🎬 Video'; break;
      case 'video_note': node.textContent = '⏺️ Video message'; break;
      case 'audio': node.textContent = '🎵 ' + ((media.audio && media.audio.title) || 'Audio'); break;
      case 'animation': node.textContent = '🎞️ GIF'; break;
      case 'location':
        var at = media.location || {};
        node.textContent = '📍 Location ' + at.latitude + ', ' + at.longitude;
        break;
      case 'contact':
        var who = media.contact || {};
        node.textContent = '👤 ' + (who.first_name || '') + ' ' + (who.phone_number || '');
        break;
      default: return null;
    }
    return node;
  }

  function documentNode(doc) {
    var link = el('a', 'document');
    link.href = doc.url;
    link.setAttribute('download', doc.file_name || 'file');
    link.appendChild(el('span', 'doc-icon', '📄'));
    link.appendChild(el('span', 'doc-name', doc.file_name || 'file'));
    return link;
  }

  function inlineKeyboardNode(message) {
    var rows = (message.reply_markup && message.reply_markup.inline_keyboard) || [];
    var keyboard = el('div', 'inline-keyboard');
    // Its own dir keeps button labels out of the bubble's automatic direction.
    keyboard.setAttribute('dir', 'auto');
    rows.forEach(function (row) {
      var rowNode = el('div', 'inline-row');
      row.forEach(function (button) {
        var node;
        if (typeof button.url === 'string' && SAFE_LINK.test(button.url)) {
          node = el('a', 'inline-button url', button.text);
          node.href = button.url;
          node.target = '_blank';
          node.rel = 'noopener noreferrer';
        } else {
          node = el('button', 'inline-button', button.text);
          node.type = 'button';
          if (typeof button.callback_data === 'string') {
            node.setAttribute('data-callback', button.callback_data);
            node.addEventListener('click', function () { press(message.message_id, button.callback_data, node); });
          } else {
            node.disabled = true;
            node.title = 'Not available in the sandbox';
          }
        }
        node.setAttribute('dir', 'auto');
        rowNode.appendChild(node);
      });
      keyboard.appendChild(rowNode);
    });
    return keyboard;
  }

  function timeLabel(date, edited) {
    var when = new Date(date * 1000);
    var label = when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    return edited ? 'edited ' + label : label;
  }

  function bubble(message) {
    var node = el('div', 'msg ' + (message.from === 'bot' ? 'bot' : 'user'));
    node.setAttribute('dir', 'auto');
    node.setAttribute('data-message-id', String(message.message_id));
    var media = mediaNode(message);
    if (media) { node.appendChild(media); }
    if (message.document && message.kind !== 'animation') { node.appendChild(documentNode(message.document)); }
    node.appendChild(formattedText(message.text, message.entities));
    var meta = el('span', 'meta', timeLabel(message.date, message.edited));
    meta.setAttribute('dir', 'ltr');
    node.appendChild(meta);
    if (message.reply_markup && message.reply_markup.inline_keyboard) {
      node.appendChild(inlineKeyboardNode(message));
    }
    return node;
  }

  function note(text) {
    var node = el('div', 'system-note', text);
    $('messages').appendChild(node);
    scrollToEnd(true);
  }

  function isNearBottom() {
    var box = $('messages');
    return box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  }

  function scrollToEnd(force) {
    var box = $('messages');
    if (force || isNearBottom()) { box.scrollTop = box.scrollHeight; }
  }

  function placeNode(node, messageId) {
    var box = $('messages');
    var ids = Object.keys(state.nodes).map(Number).filter(function (id) { return id > messageId; });
    if (ids.length) {
      var next = state.nodes[Math.min.apply(null, ids)].node;
      box.insertBefore(node, next);
    } else {
      box.appendChild(node);
    }
  }

  function render(messages, after) {
    var stick = isNearBottom();
    var present = {};
    var added = false;
    messages.forEach(function (message) {
      present[message.message_id] = true;
      var signature = JSON.stringify(message);
      var known = state.nodes[message.message_id];
      if (known && known.signature === signature) { return; }
      var node = bubble(message);
      if (known) {
        known.node.parentNode.replaceChild(node, known.node);
      } else {
        placeNode(node, message.message_id);
        added = true;
        if (message.from === 'bot' && message.reply_keyboard) { applyReplyKeyboard(message.reply_keyboard); }
      }
      state.nodes[message.message_id] = { node: node, signature: signature };
    });
    Object.keys(state.nodes).forEach(function (key) {
      var id = Number(key);
      if (id > after && !present[id]) {
        var gone = state.nodes[id].node;
        if (gone.parentNode) { gone.parentNode.removeChild(gone); }
        delete state.nodes[id];
      }
    });
    var ids = Object.keys(state.nodes).map(Number);
    var newest = ids.length ? Math.max.apply(null, ids) : 0;
    // Fewer messages than we had means the sandbox was reset: read everything again.
    state.fullRefresh = newest < state.maxId && after > 0;
    state.maxId = newest;
    if (added) { scrollToEnd(stick); }
  }

  /* ---------- reply keyboard (ReplyKeyboardMarkup) ---------- */

  function applyReplyKeyboard(markup) {
    state.replyKeyboard = markup.keyboard ? markup : null;
    renderReplyKeyboard();
  }

  function renderReplyKeyboard() {
    var box = $('reply-keyboard');
    box.textContent = '';
    var markup = state.replyKeyboard;
    box.hidden = !markup;
    if (!markup) { return; }
    markup.keyboard.forEach(function (row) {
      var rowNode = el('div', 'reply-row');
      row.forEach(function (button) {
        var node = el('button', 'reply-button', button.text);
        node.type = 'button';
        node.setAttribute('dir', 'auto');
        node.addEventListener('click', function () {
          if (button.request_contact) { sendMessage({ kind: 'contact' }); }
          else if (button.request_location) { sendMessage({ kind: 'location' }); }
          else { sendMessage({ text: button.text }); }
          if (markup.one_time_keyboard) { state.replyKeyboard = null; renderReplyKeyboard(); }
        });
        rowNode.appendChild(node);
      });
      box.appendChild(rowNode);
    });
  }

  /* ---------- toasts and menus ---------- */

  function toast(text, isAlert) {
    var node = el('div', isAlert ? 'toast alert' : 'toast', text);
    node.setAttribute('dir', 'auto');
    node.setAttribute('role', isAlert ? 'alertdialog' : 'status');
    var remove = function () { if (node.parentNode) { node.parentNode.removeChild(node); } };
    node.addEventListener('click', remove);
    $('toasts').appendChild(node);
    setTimeout(remove, isAlert ? 8000 : 3000);
  }

  function showAnswers(answers) {
    if (state.answersSeen < 0) { state.answersSeen = answers.length; return; }
    answers.slice(state.answersSeen).forEach(function (answer) {
      if (answer.text) { toast(answer.text, answer.show_alert); }
    });
    state.answersSeen = answers.length;
  }

  function toggleMenu(id) {
    var menu = $(id);
    var open = menu.hidden;
    $('commands-menu').hidden = true;
    $('attach-menu').hidden = true;
    menu.hidden = !open;
    if (open && id === 'commands-menu') { renderCommands(); }
  }

  function renderCommands() {
    var menu = $('commands-menu');
    menu.textContent = '';
    if (!state.commands.length) {
      menu.appendChild(el('div', 'muted', 'The bot has set no commands for this language.'));
      return;
    }
    state.commands.forEach(function (command) {
      var item = el('button');
      item.type = 'button';
      item.setAttribute('dir', 'auto');
      item.appendChild(el('span', 'command-name', '/' + command.command));
      item.appendChild(el('span', 'muted', command.description));
      item.addEventListener('click', function () {
        menu.hidden = true;
        sendMessage({ text: '/' + command.command });
      });
      menu.appendChild(item);
    });
  }

  /* ---------- polling ---------- */

  async function refreshSession() {
    var data = await api('/sandbox/api/session?user_id=' + state.session.userId);
    $('bot-name').textContent = data.bot.first_name;
    $('bot-status').textContent = '@' + data.bot.username;
    state.commands = data.commands || [];
    state.blocked = !!(data.user && data.user.blocked);
    renderBlocked();
  }

  async function poll() {
    state.pollTimer = null;
    var session = state.session;
    if (!session) { return; }
    var after = state.fullRefresh ? 0 : Math.max(0, state.maxId - WINDOW);
    try {
      var query = '?user_id=' + session.userId;
      var messages = await api('/sandbox/api/chat' + query + '&after=' + after);
      if (state.session !== session) { return; }
      render(messages, after);
      showAnswers(await api('/sandbox/api/callback_answers' + query));
      if (state.offline || state.polls % SESSION_EVERY === 0) { await refreshSession(); }
      state.polls += 1;
      state.offline = false;
    } catch (error) {
      state.offline = true;
      $('bot-status').textContent = 'sandbox not reachable…';
    }
    if (state.session === session && !state.pollTimer) { state.pollTimer = setTimeout(poll, POLL_MS); }
  }

  function pollSoon() {
    if (state.pollTimer) { clearTimeout(state.pollTimer); }
    state.pollTimer = setTimeout(poll, 60);
  }

  function startPolling() {
    state.polls = 0;
    pollSoon();
  }

  function stopPolling() {
    if (state.pollTimer) { clearTimeout(state.pollTimer); }
    state.pollTimer = null;
  }

  /* ---------- wiring ---------- */

  function autoGrow() {
    var box = $('text');
    box.style.height = 'auto';
    box.style.height = Math.min(box.scrollHeight, 160) + 'px';
  }

  function wire() {
    $('start').addEventListener('click', start);
    $('name').addEventListener('keydown', function (event) {
      if (event.key === 'Enter') { event.preventDefault(); start(); }
    });
    $('composer').addEventListener('submit', function (event) {
      event.preventDefault();
      sendComposer();
    });
    $('text').addEventListener('keydown', function (event) {
      // Enter sends, Shift+Enter adds a line, as in Telegram Desktop.
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        sendComposer();
      }
    });
    $('text').addEventListener('input', autoGrow);
    $('block').addEventListener('click', toggleBlock);
    $('new-user').addEventListener('click', newUser);
    $('commands').addEventListener('click', function () { toggleMenu('commands-menu'); });
    $('attach').addEventListener('click', function () { toggleMenu('attach-menu'); });
    Array.prototype.forEach.call(document.querySelectorAll('.attach-item'), function (item) {
      item.addEventListener('click', function () {
        $('attach-menu').hidden = true;
        sendMessage({ kind: item.getAttribute('data-kind') });
      });
    });
  }

  function boot() {
    wire();
    state.session = loadSession();
    if (state.session) {
      $('name').value = state.session.name;
      $('language').value = state.session.lang;
      showChat();
    } else {
      showSetup();
    }
  }

  boot();
}());
