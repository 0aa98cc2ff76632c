-- pandoc filter for the Word edition (realist_report.office.write_docx), run on the HTML edition.
--  * title and subtitle come from the document title ("title: subtitle"), printed in Word's Title
--    and Subtitle styles; the HTML title page keeps only its details (authors, funder, build)
--  * the contents list becomes a Word table-of-contents field that Word refreshes with page
--    numbers on opening (the list is the field's shown result until then)
--  * the "Tables" and "Figures" list headings stay out of the navigation pane
--  * the key figures read "7 sites", and every table spans the page with columns sized to content

local function raw(xml) return pandoc.RawBlock("openxml", xml) end

local TOC_BEGIN = '<w:p><w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
  .. '<w:r><w:instrText xml:space="preserve"> TOC \\o "1-2" \\h \\z \\u </w:instrText></w:r>'
  .. '<w:r><w:fldChar w:fldCharType="separate"/></w:r></w:p>'
local TOC_END = '<w:p><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'

function Meta(meta)
  local whole = pandoc.utils.stringify(meta.title or "")
  local title, subtitle = whole:match("^(.-):%s+(.+)$")
  if title then
    meta.title = pandoc.MetaInlines({pandoc.Str(title)})
    meta.subtitle = pandoc.MetaInlines({pandoc.Str(subtitle)})
  end
  return meta
end

local function title_page(div)
  local kept = {}
  for _, block in ipairs(div.content) do
    if block.t == "DefinitionList" then table.insert(kept, block) end
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

-- Column widths: each column gets at least its longest word (so "0.315" or "Participants" never
-- breaks inside), and the rest of the line in proportion to how much longer its longest cell is.
local LINE_CHARS = 90

function Table(tbl)
  local lengths, words = {}, {}
  local function measure(rows)
    for _, row in ipairs(rows) do
      for i, cell in ipairs(row.cells) do
        local text = pandoc.utils.stringify(cell.contents)
        lengths[i] = math.max(lengths[i] or 4, math.min(60, #text))
        for word in text:gmatch("%S+") do
          words[i] = math.max(words[i] or 3, math.min(30, #word) + 2)
        end
      end
    end
  end
  measure(tbl.head.rows)
  for _, body in ipairs(tbl.bodies) do measure(body.body) end
  local floor, extra = 0, 0
  for i = 1, #tbl.colspecs do
    words[i] = words[i] or 3
    lengths[i] = math.max(lengths[i] or 4, words[i])
    floor = floor + words[i]
    extra = extra + (lengths[i] - words[i])
  end
  for i, spec in ipairs(tbl.colspecs) do
    local share
    if floor >= LINE_CHARS or extra == 0 then
      share = words[i] / floor
    else
      share = (words[i] + (lengths[i] - words[i]) * (LINE_CHARS - floor) / extra) / LINE_CHARS
    end
    tbl.colspecs[i] = {spec[1], share}
  end
  return tbl
end

function Blocks(blocks)
  local out = {}
  local after_contents = false
  for _, block in ipairs(blocks) do
    if block.t == "Div" and block.classes:includes("title-page") then
      for _, kept in ipairs(title_page(block)) do table.insert(out, kept) end
    elseif block.t == "Div" and block.classes:includes("keyfigures") then
      table.insert(out, key_figures(block))
    elseif block.t == "Header" and block.identifier == "contents" then
      after_contents = true
      table.insert(out, block)
    elseif after_contents and block.t == "BulletList" then
      after_contents = false
      table.insert(out, raw(TOC_BEGIN))
      table.insert(out, block)
      table.insert(out, raw(TOC_END))
    elseif block.t == "Header" and block.classes:includes("lof") then
      table.insert(out, pandoc.Para({pandoc.Strong(block.content)}))
    else
      table.insert(out, block)
    end
  end
  return out
end
