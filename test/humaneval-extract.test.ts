import {describe, expect, it} from 'vitest';
import type {HumanEvalProblem} from '../src/bench/humaneval/dataset.js';
import {dropThinking, extractHumanEval, findFences, stubBody} from '../src/bench/humaneval/extract.js';
import {humanEvalPrompt} from '../src/bench/humaneval/prompt.js';

const problem: HumanEvalProblem = {
  id: 'T/0',
  prompt: 'from typing import List\n\n\ndef total(xs: List[int]) -> int:\n    """Sum of xs.\n    >>> total([1, 2])\n    3\n    """\n',
  entryPoint: 'total',
  canonicalSolution: '    return sum(xs)\n',
  test: 'def check(candidate):\n    assert candidate([1, 2]) == 3\n',
};

const fullFunction = 'def total(xs):\n    return sum(xs)';
const chat = (response: string) => extractHumanEval(problem, response, 'chat');

describe('prompts', () => {
  it('completion style is the raw prompt with the Codex stops', () => {
    expect(humanEvalPrompt(problem, 'completion')).toEqual({
      style: 'completion',
      text: problem.prompt,
      stop: ['\nclass ', '\ndef ', '\n#', '\nif ', '\nprint'],
    });
  });

  it('chat style puts the prompt in a python fence under an instruction', () => {
    const prompt = humanEvalPrompt(problem, 'chat');
    if (prompt.style !== 'chat') throw new Error('expected chat');
    expect(prompt.messages.map((message) => message.role)).toEqual(['system', 'user']);
    expect(prompt.messages[0]!.content).toMatch(/complete\s+function/);
    expect(prompt.messages[1]!.content).toBe(
      'Please provide a self-contained Python script that solves the following problem in a markdown code block:\n' +
        `\`\`\`python\n${problem.prompt.trim()}\n\`\`\`\n`,
    );
  });
});

describe('completion-style extraction', () => {
  it('keeps a response without stops verbatim', () => {
    expect(extractHumanEval(problem, '    return sum(xs)\n', 'completion')).toEqual({code: '    return sum(xs)\n', path: 'verbatim', markers: []});
  });

  it.each([
    ['\ndef ', '    return sum(xs)\n\ndef other():\n    pass'],
    ['\nclass ', '    return sum(xs)\n\nclass X:\n    pass'],
    ['\n#', '    return sum(xs)\n\n# tests\n'],
    ['\nif ', '    return sum(xs)\n\nif __name__ == "__main__":\n    main()'],
    ['\nprint', '    return sum(xs)\n\nprint(total([1]))'],
  ])('truncates at the first stop (%j)', (_stop, response) => {
    expect(extractHumanEval(problem, response, 'completion')).toEqual({code: '    return sum(xs)\n', path: 'stop-truncated', markers: []});
  });

  it('cuts at the earliest of several stops, and leaves indented lookalikes alone', () => {
    const response = '    # note\n    if xs:\n        print(xs)\n    return sum(xs)\nprint(1)\ndef g(): pass';
    expect(extractHumanEval(problem, response, 'completion').code).toBe('    # note\n    if xs:\n        print(xs)\n    return sum(xs)');
  });
});

describe('chat-style extraction', () => {
  it('turns a fenced full function into a completion after a closed stub', () => {
    expect(chat(`Here you go:\n\`\`\`python\n${fullFunction}\n\`\`\`\nIt sums.`)).toEqual({
      code: `${stubBody}${fullFunction}`,
      path: 'fence-entry-point',
      markers: [],
    });
  });

  it('prefers the fence that defines the entry point over a later one', () => {
    const response = `\`\`\`python\n${fullFunction}\n\`\`\`\nUsage:\n\`\`\`python\nprint(total([1, 2]))\n\`\`\``;
    expect(chat(response)).toMatchObject({code: `${stubBody}${fullFunction}`, path: 'fence-entry-point'});
  });

  it('takes the last of several fences that define the entry point (the revised answer)', () => {
    const response = `First try:\n\`\`\`python\ndef total(xs):\n    return 0\n\`\`\`\nFixed:\n\`\`\`python\n${fullFunction}\n\`\`\``;
    expect(chat(response).code).toBe(`${stubBody}${fullFunction}`);
  });

  it('does not mistake another function whose name starts with the entry point', () => {
    const response = '```python\ndef total_helper(xs):\n    return 0\n```\n```text\nnot code\n```';
    expect(chat(response)).toMatchObject({code: `${stubBody}def total_helper(xs):\n    return 0`, path: 'fence-last'});
  });

  it('falls back to the last python or unlabelled fence, ignoring other languages', () => {
    const response = '```python\nx = 1\n```\n```\ny = 2\n```\n```bash\nls\n```';
    expect(chat(response)).toMatchObject({code: `${stubBody}y = 2`, path: 'fence-last'});
  });

  it('accepts py, python3 and a fence indented in a list item', () => {
    expect(chat(`\`\`\`py\n${fullFunction}\n\`\`\``).code).toBe(`${stubBody}${fullFunction}`);
    expect(chat(`1. Code:\n   \`\`\`python3\n   def total(xs):\n       return sum(xs)\n   \`\`\``).code).toBe(`${stubBody}${fullFunction}`);
  });

  it('uses an unterminated final fence (a reply cut at max tokens)', () => {
    expect(chat(`\`\`\`python\n${fullFunction}\n`)).toMatchObject({code: `${stubBody}${fullFunction}\n`, path: 'fence-entry-point'});
  });

  it('uses the raw text when there is no fence', () => {
    expect(chat(fullFunction)).toEqual({code: `${stubBody}${fullFunction}`, path: 'raw', markers: []});
  });

  it('keeps a bare indented body as the completion itself', () => {
    expect(chat('```python\n    return sum(xs)\n```').code).toBe('    return sum(xs)');
  });

  it('drops a trailing __main__ demo block (it would run and may read stdin)', () => {
    const response = `\`\`\`python\n${fullFunction}\n\nif __name__ == "__main__":\n    print(total([int(input())]))\n\`\`\``;
    expect(chat(response).code).toBe(`${stubBody}${fullFunction}\n`);
  });

  describe('reasoning', () => {
    it('drops think blocks, including code drafted inside them', () => {
      const response = `<think>maybe\n\`\`\`python\ndef total(xs):\n    return 0\n\`\`\`\n</think>\n\`\`\`python\n${fullFunction}\n\`\`\``;
      expect(chat(response).code).toBe(`${stubBody}${fullFunction}`);
    });

    it('drops everything before a lone closing tag and after an unterminated opening tag', () => {
      expect(dropThinking('reasoning whose opening tag was in the template</think>answer')).toBe('answer');
      expect(dropThinking('answer<think>cut off mid-thought')).toBe('answer');
      expect(dropThinking('<think>a</think>one<think>b</think>two')).toBe('onetwo');
    });

    it('an answer that is all unfinished reasoning extracts to an empty program body', () => {
      expect(chat('<think>\n```python\ndef total(xs):\n    return sum(xs)\n```')).toEqual({code: stubBody, path: 'raw', markers: []});
    });
  });

  it('findFences reports languages lower-cased and code without the fence lines', () => {
    expect(findFences('a\n```Python\nx\n```\n```\ny\nz\n```')).toEqual([
      {language: 'python', code: 'x'},
      {language: '', code: 'y\nz'},
    ]);
  });
});
