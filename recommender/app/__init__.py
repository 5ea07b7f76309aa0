"""The page: Gradio layout (``ui``), its event handlers over per-session state (``chat``), the one
place engine events become page state (``views``), cards and the profile panel (``cards``), a
person's files (``uploads``), reply slots (``slots``) and the page's own strings (``page_text``)."""
