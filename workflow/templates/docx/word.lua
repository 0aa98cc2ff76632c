-- pandoc filter for the Word edition (realist_report.report.office.write_docx), run on the HTML edition.
--  * title and subtitle come from the document title ("title: subtitle"), printed in Word's Title
--    and Subtitle styles; the HTML title page keeps only its details (authors, funder, build)
--  * contents, list of tables and list of figures are Word TOC fields (Word refreshes them with
--    page numbers; the lists are the fields' shown results until then)
--  * captions number themselves (SEQ Table, SEQ Figure, inside a bookmark), cross-references to
--    tables and figures are REF fields to those bookmarks, so numbers follow edits in Word
--  * heading levels never skip (a level-4 heading after a level-1 one becomes level 2)
--  * every narrative part (data-narrative) and every computed value (data-placeholder) becomes a
--    bookmark rrn_N / rrv_N; their meaning goes into the custom property realist-report-markers,
--    which docx_import reads to bring a co-author's edits back to the Markdown
--  * number columns are right-aligned; every column is at least as wide as its longest word

local function raw(xml) return pandoc.RawBlock("openxml", xml) end
local function raw_inline(xml) return pandoc.RawInline("openxml", xml) end

local function field_begin(instruction)
  return '<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
    .. '<w:r><w:instrText xml:space="preserve"> ' .. instruction .. ' </w:instrText></w:r>'
    .. '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
end
local FIELD_END = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'

local function escape(text)
  return (text:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"):gsub('"', "&quot;"))
end

local function text_run(text)
  return '<w:r><w:t xml:space="preserve">' .. escape(text) .. '</w:t></w:r>'
end

-- Word bookmark names: a letter first, then letters, digits and underscores, 40 at most.
local function bookmark_name(identifier)
  return ("ref_" .. identifier:gsub("[^%w]", "_")):sub(1, 40)
end

local bookmark_id = 900000
local function bookmarked(name, xml)
  bookmark_id = bookmark_id + 1
  return '<w:bookmarkStart w:id="' .. bookmark_id .. '" w:name="' .. name .. '"/>' .. xml
    .. '<w:bookmarkEnd w:id="' .. bookmark_id .. '"/>'
end

local function Meta(meta)
  local whole = pandoc.utils.stringify(meta.title or "")
  local title, subtitle = whole:match("^(.-):%s+(.+)$")
  if title then
    meta.title = pandoc.MetaInlines({pandoc.Str(title)})
    meta.subtitle = pandoc.MetaInlines({pandoc.Str(subtitle)})
  end
  return meta
end

-- ------------------------------------------------------------------ captions and cross-references

local SEQ = {Table = "Table", Figure = "Figure"}

-- "Table 3. Title" -> bookmark("Table " SEQ Table) ". Title"; anything else stays as it is.
local function numbered_caption(caption, identifier)
  local first = caption.long[1]
  if not first or identifier == "" then return caption end
  local inlines = first.content
  local noun = inlines[1] and inlines[1].t == "Str" and SEQ[inlines[1].text]
  local number = inlines[3] and inlines[3].t == "Str" and inlines[3].text:match("^(%d+)%.$")
  if not (noun and number and inlines[2].t == "Space") then return caption end
  local label = text_run(noun .. " ") .. field_begin("SEQ " .. noun .. " \\* ARABIC")
    .. text_run(number) .. FIELD_END
  local rest = {raw_inline(bookmarked(bookmark_name(identifier), label)), pandoc.Str(".")}
  for i = 4, #inlines do table.insert(rest, inlines[i]) end
  first.content = rest
  return caption
end

local function Figure(figure)
  figure.caption = numbered_caption(figure.caption, figure.identifier)
  return figure
end

local function Link(link)
  local target = link.target:match("^#((%a+)%-.+)$")
  local kind = link.target:match("^#(%a+)%-")
  if not link.classes:includes("xref") or not (kind == "tab" or kind == "fig") then return nil end
  local shown = pandoc.utils.stringify(link.content)
  return raw_inline(field_begin("REF " .. bookmark_name(target) .. " \\h") .. text_run(shown)
    .. FIELD_END)
end

-- ------------------------------------------------------------------ narrative markers

local markers = {}
local counts = {narrative = 0, value = 0}

local function attribute(element, name)
  return element.attributes[name] or element.attributes["data-" .. name]
end

-- The paragraph a part's text starts (or ends) in, looking into lists and block quotes.
local function edge_text_block(blocks, last)
  local from, to, step = 1, #blocks, 1
  if last then from, to, step = #blocks, 1, -1 end
  for i = from, to, step do
    local block = blocks[i]
    if block.t == "Para" or block.t == "Plain" or block.t == "Header" then return block end
    local inner = nil
    if block.t == "BulletList" or block.t == "OrderedList" then
      local items = block.content
      inner = edge_text_block(items[last and #items or 1] or {}, last)
    elseif block.t == "Div" or block.t == "BlockQuote" then
      inner = edge_text_block(block.content, last)
    end
    if inner then return inner end
  end
  return nil
end

-- A part's bookmark starts and ends inside its first and last paragraphs: LibreOffice drops a
-- bookmark that stands between a table and a paragraph, or opens the paragraph after a table.
local function Div(div)
  local source = attribute(div, "narrative")
  if not source then return nil end
  counts.narrative = counts.narrative + 1
  local name = "rrn_" .. counts.narrative
  markers[name] = {narrative = source}
  local first, last = edge_text_block(div.content, false), edge_text_block(div.content, true)
  if not first then
    div.identifier = name
    return div
  end
  bookmark_id = bookmark_id + 1
  -- after the first word: LibreOffice drops a bookmark that opens a paragraph after a table
  first.content:insert(math.min(2, #first.content + 1), raw_inline(
    '<w:bookmarkStart w:id="' .. bookmark_id .. '" w:name="' .. name .. '"/>'))
  last.content:insert(raw_inline('<w:bookmarkEnd w:id="' .. bookmark_id .. '"/>'))
  return div
end

local function Span(span)
  local expression = attribute(span, "placeholder")
  if not expression then return nil end
  counts.value = counts.value + 1
  span.identifier = "rrv_" .. counts.value
  markers[span.identifier] = {placeholder = expression, shown = pandoc.utils.stringify(span)}
  return span
end

-- ------------------------------------------------------------------ tables

-- Column widths in twips of the A4 text block (210 mm less two 25 mm margins; pandoc writes a
-- column's share of it). A word is measured in em of the type size: a capital 0.85, any other
-- character 0.7 (bold DejaVu Sans, LibreOffice's stand-in font, is about that); cell margins are
-- 108 twips each side (the reference table style). A table too wide at 9 pt is set in
-- reference.docx's 7 pt "Table Small" or 6 pt "Table Smallest" style.
local function word_ems(word)
  local capitals = select(2, word:gsub("%u", ""))
  return capitals * 0.85 + ((utf8.len(word) or #word) - capitals) * 0.7
end
local TEXT_TWIPS = 9070
local CELL_MARGIN_TWIPS = 216
local SMALLER = {{7, "Table Small"}, {6, "Table Smallest"}}

local function small_cells(tbl, style)
  local function shrink(rows)
    for _, row in ipairs(rows) do
      for _, cell in ipairs(row.cells) do
        local paras = pandoc.Blocks(cell.contents):walk({
          Plain = function(plain) return pandoc.Para(plain.content) end,
        })
        cell.contents = {pandoc.Div(paras, {["custom-style"] = style})}
      end
    end
  end
  shrink(tbl.head.rows)
  for _, body in ipairs(tbl.bodies) do shrink(body.body) end
end
local NUMBER = "^[%-−]?[%d,]*%.?%d+%s?%%?$"

-- The column each cell of a row starts in, given the cells above that span down into the row
-- (`below`: column -> rows still covered).
local function cell_columns(row, below)
  local starts, column = {}, 1
  for _, cell in ipairs(row.cells) do
    while (below[column] or 0) > 0 do column = column + 1 end
    starts[#starts + 1] = column
    for c = column, column + cell.col_span - 1 do below[c] = cell.row_span end
    column = column + cell.col_span
  end
  for c, rows in pairs(below) do below[c] = math.max(0, rows - 1) end
  return starts
end

local function column_facts(tbl)
  local lengths, words, numeric = {}, {}, {}
  local function measure(rows, body)
    local below = {}
    for _, row in ipairs(rows) do
      local starts = cell_columns(row, below)
      for n, cell in ipairs(row.cells) do
        local i = starts[n]
        -- a cell over several columns is as wide as all of them: it sets no column's width
        if cell.col_span == 1 then
          local text = pandoc.utils.stringify(cell.contents)
          lengths[i] = math.max(lengths[i] or 3, math.min(42, 0.7 * (utf8.len(text) or #text)))
          for word in text:gmatch("%S+") do
            words[i] = math.max(words[i] or 2, math.min(25, word_ems(word)))
          end
          if body and text ~= "" and text ~= "–" and text ~= "—" then
            numeric[i] = (numeric[i] ~= false) and (text:match(NUMBER) ~= nil)
          end
        end
      end
    end
  end
  measure(tbl.head.rows, false)
  for _, body in ipairs(tbl.bodies) do measure(body.body, true) end
  return lengths, words, numeric
end

local function column_twips(lengths, words, count, points)
  local floors, extras, floor, extra = {}, {}, 0, 0
  for i = 1, count do
    floors[i] = (words[i] or 2) * points * 20 + CELL_MARGIN_TWIPS
    extras[i] = math.max(0, (lengths[i] or 3) - (words[i] or 2)) * points * 20
    floor, extra = floor + floors[i], extra + extras[i]
  end
  return floors, extras, floor, extra
end

local function Table(tbl)
  local lengths, words, numeric = column_facts(tbl)
  local floors, extras, floor, extra = column_twips(lengths, words, #tbl.colspecs, 9)
  local style = nil
  for _, size in ipairs(SMALLER) do
    if floor <= TEXT_TWIPS then break end
    floors, extras, floor, extra = column_twips(lengths, words, #tbl.colspecs, size[1])
    style = size[2]
  end
  if style then small_cells(tbl, style) end
  for i, spec in ipairs(tbl.colspecs) do
    local width = floors[i] * math.min(1, TEXT_TWIPS / floor)
    if floor < TEXT_TWIPS and extra > 0 then
      width = width + extras[i] * math.min(1, (TEXT_TWIPS - floor) / extra)
    end
    local align = numeric[i] and "AlignRight" or spec[1]
    tbl.colspecs[i] = {align, width / TEXT_TWIPS}
  end
  tbl.caption = numbered_caption(tbl.caption, tbl.identifier)
  return tbl
end

-- ------------------------------------------------------------------ document order

local function title_page(div)
  local kept = {}
  for _, block in ipairs(div.content) do
    -- the details list, and the team's notice (narrative sections/notice.md) when there is one
    -- (set in reference.docx's boxed "Notice" style, as the PDF and HTML box it)
    if block.t == "DefinitionList" then table.insert(kept, block) end
    if block.t == "Div" and block.classes:includes("notice") then
      table.insert(kept, pandoc.Div(block.content, {["custom-style"] = "Notice"}))
    end
  end
  return kept
end

local function key_figures(div)
  return div:walk({
    Plain = function(plain)
      local inlines = {}
      for _, inline in ipairs(plain.content) do
        table.insert(inlines, inline)
        if inline.t == "Strong" then table.insert(inlines, pandoc.Space()) end
      end
      return pandoc.Para(inlines)
    end,
  })
end

local LISTS = {Tables = 'TOC \\h \\z \\c "Table"', Figures = 'TOC \\h \\z \\c "Figure"'}

local function as_field(out, instruction, list)
  table.insert(out, raw('<w:p>' .. field_begin(instruction) .. '</w:p>'))
  table.insert(out, list)
  table.insert(out, raw('<w:p>' .. FIELD_END .. '</w:p>'))
end

local function Blocks(blocks)
  local out = {}
  local field = nil
  for _, block in ipairs(blocks) do
    if block.t == "Div" and block.classes:includes("title-page") then
      for _, kept in ipairs(title_page(block)) do table.insert(out, kept) end
    elseif block.t == "Div" and block.classes:includes("keyfigures") then
      table.insert(out, key_figures(block))
    elseif block.t == "Header" and block.identifier == "contents" then
      field = 'TOC \\o "1-2" \\h \\z \\u'
      table.insert(out, block)
    elseif field and block.t == "BulletList" then
      as_field(out, field, block)
      field = nil
    elseif block.t == "Header" and block.classes:includes("lof") then
      field = LISTS[pandoc.utils.stringify(block.content)]
      table.insert(out, pandoc.Para({pandoc.Strong(block.content)}))
    else
      table.insert(out, block)
    end
  end
  return out
end

-- Heading levels in reading order: one level deeper than the heading before at most.
local function no_skipped_levels(doc)
  local previous = 0
  return doc:walk({
    traverse = "topdown",
    Header = function(header)
      header.level = math.min(header.level, previous + 1)
      previous = header.level
      return header
    end,
  })
end

local function Pandoc(doc)
  doc = no_skipped_levels(doc)
  doc.meta["realist-report-markers"] = pandoc.MetaString(pandoc.json.encode(markers))
  return doc
end

-- Markers first (they read the computed values as printed), then the fields and layout.
return {
  {Div = Div, Span = Span},
  {Meta = Meta, Figure = Figure, Link = Link, Table = Table, Blocks = Blocks, Pandoc = Pandoc},
}
