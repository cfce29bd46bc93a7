import {describe, expect, it} from 'vitest';
import {extractV1} from '../src/bench/verilog/v1.js';
import {extractV2, markers} from '../src/bench/verilog/v2-extract.js';

const module = 'module TopModule (\n  output zero\n);\n  assign zero = 1\'b0;\nendmodule';
const ifc = 'module TopModule (\n  output zero\n);\n';

describe('v2 spec-to-rtl extraction', () => {
  it('takes the lines between [BEGIN] and [DONE], after an empty first line', () => {
    expect(extractV2('spec-to-rtl', `Sure.\n[BEGIN]\n${module}\n[DONE]\nDone!`)).toEqual({
      code: `\n${module}\n\n`,
      path: 'begin-done',
      markers: [],
    });
  });

  it('accepts [BEGIN] and [DONE] sharing a line with code', () => {
    expect(extractV2('spec-to-rtl', `  [BEGIN]${module}[DONE]  `).code).toBe(`\n${module}\n\n`);
    // On the [BEGIN] line itself [DONE] is not looked for: the block never ends.
    expect(extractV2('spec-to-rtl', `[BEGIN]${module.replaceAll('\n', ' ')}[DONE]`).path).toBe('begin-without-done');
  });

  it('yields no code at all for a [BEGIN] without [DONE], as upstream does', () => {
    expect(extractV2('spec-to-rtl', `[BEGIN]\n${module}\n`)).toEqual({code: '\n\n', path: 'begin-without-done', markers: []});
  });

  it('falls back to the first fenced block and marks it', () => {
    const response = `Here you go:\n\`\`\`verilog\n${module}\n\`\`\`\nIt ties zero low.\n\`\`\`\nextra\n\`\`\``;
    expect(extractV2('spec-to-rtl', response)).toEqual({
      code: `\n${module}\n\n${markers.noBeginDone}\n\n`,
      path: 'fenced',
      markers: [markers.noBeginDone],
    });
  });

  it('falls back to module TopModule … endmodule without fences', () => {
    const response = `The answer is\nmodule TopModule (\n  output zero\n);\n  assign zero = 0;\nendmodule\nwhich outputs 0.`;
    expect(extractV2('spec-to-rtl', response)).toMatchObject({
      code: `\nmodule TopModule (\n  output zero\n);\n  assign zero = 0;\nendmodule\n\n${markers.noBeginDone}\n\n`,
      path: 'module-scan',
    });
  });

  it('keeps everything up to endmodule when there is neither a fence nor a module line', () => {
    expect(extractV2('spec-to-rtl', 'I cannot help with that.')).toMatchObject({
      code: `\nI cannot help with that.\n\n${markers.noBeginDone}\n\n`,
      path: 'verbatim',
    });
  });
});

describe('v2 code-complete extraction', () => {
  it('prepends the interface to a bare body', () => {
    expect(extractV2('code-complete', "  assign zero = 1'b0;\nendmodule\n", ifc)).toEqual({
      code: `\n${ifc}\n\n  assign zero = 1'b0;\nendmodule\n\n\n`,
      path: 'ifc-prepended+verbatim',
      markers: [],
    });
  });

  it('keeps a full module but marks the errant module definition', () => {
    expect(extractV2('code-complete', module, ifc)).toEqual({
      code: `\n${module}\n\n${markers.errantModule}\n\n\n`,
      path: 'module-scan',
      markers: [markers.errantModule],
    });
  });

  it('marks an odd number of fences and a missing endmodule', () => {
    const extraction = extractV2('code-complete', "```verilog\n  assign zero = 1'b0;", ifc);
    expect(extraction.markers).toEqual([markers.abnormalBackticks, markers.noEndmodule]);
    expect(extraction.code).toBe(`\n${ifc}\n\n  assign zero = 1'b0;\n\n${markers.abnormalBackticks}\n\n${markers.noEndmodule}\n\n\n`);
  });

  it('treats an indented module line as no module for the interface but as one for the marker', () => {
    const extraction = extractV2('code-complete', "  module TopModule (output zero);\n  assign zero = 0;\n  endmodule", ifc);
    expect(extraction.path).toBe('ifc-prepended+verbatim');
    expect(extraction.markers).toEqual([markers.errantModule]);
  });
});

describe('v1 extraction (module body after the header)', () => {
  it('passes a plain body through', () => {
    expect(extractV1("\tassign zero = 1'b0;\nendmodule\n")).toEqual({code: "\tassign zero = 1'b0;\nendmodule\n", path: 'verbatim', markers: []});
  });

  it('takes the first fenced block, drops a repeated header and cuts after endmodule', () => {
    const response = "Here:\n```verilog\nmodule top_module (\n\toutput zero\n);\n\tassign zero = 0;\nendmodule\n```\nDone.";
    expect(extractV1(response)).toEqual({code: '\tassign zero = 0;\nendmodule\n', path: 'fenced+header-stripped', markers: []});
  });

  it('adds endmodule when the response stops before it', () => {
    expect(extractV1('\tassign zero = 0;')).toEqual({code: '\tassign zero = 0;\nendmodule\n', path: 'endmodule-appended', markers: []});
  });
});
