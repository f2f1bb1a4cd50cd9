complete -c dn -s e -l regexp -d 'A pattern to search for; can be given more than once' -r
complete -c dn -s f -l file -d 'Search for patterns from the given file, one per line' -r -F
complete -c dn -l ignore-file -d 'Read the list of files to ignore from this gitignore-format file' -r -F
complete -c dn -l pre -d 'Search the output of COMMAND PATH instead of each file (the file is also its stdin)' -r
complete -c dn -l pre-glob -d 'Only run --pre on files matching this glob (\'!\' excludes); can be given more than once' -r
complete -c dn -l engine -d 'Which regex engine to use: default, pcre2 or auto' -r -f -a "default\t'Rust\'s regex engine'
pcre2\t'PCRE2 (look-around, backreferences)'
auto\t'The default engine, or PCRE2 when the default one cannot compile the pattern'"
complete -c dn -l dfa-size-limit -d 'The size limit of the regex DFA cache (suffixes K, M, G)' -r
complete -c dn -l regex-size-limit -d 'The size limit of a compiled regex (suffixes K, M, G)' -r
complete -c dn -s m -l max-count -d 'Limit the number of matching lines per file' -r
complete -c dn -s E -l encoding -d 'Text encoding of the files (auto, none, utf-8, utf-16le, latin1, ...)' -r
complete -c dn -s j -l threads -d 'Number of worker processes (default: number of CPUs)' -r
complete -c dn -s g -l glob -d 'Include or exclude files matching this glob (\'!\' excludes)' -r
complete -c dn -l iglob -d 'Like --glob, but case insensitive' -r
complete -c dn -s d -l max-depth -d 'Descend at most NUM directories' -r
complete -c dn -l max-filesize -d 'Skip files larger than NUM bytes (suffixes K, M, G)' -r
complete -c dn -s t -l type -d 'Only search files of this type (see --type-list)' -r
complete -c dn -s T -l type-not -d 'Don\'t search files of this type' -r
complete -c dn -l type-add -d 'Add a file type definition, as \'name:glob\'' -r
complete -c dn -l type-clear -d 'Clear the globs of a file type' -r
complete -c dn -s A -l after-context -d 'Print lines after each match' -r
complete -c dn -s B -l before-context -d 'Print lines before each match' -r
complete -c dn -s C -l context -d 'Print lines before and after each match' -r
complete -c dn -l color -d 'When to use colour' -r -f -a "never\t'Never colour'
auto\t'Colour when stdout is a terminal (and NO_COLOR is unset)'
always\t'Always colour'
ansi\t'Always colour, with ANSI escapes'"
complete -c dn -l colors -d 'Colour settings, as \'type:attribute:value\' (e.g. path:fg:magenta)' -r
complete -c dn -l hyperlink-format -d 'Turn file paths into hyperlinks (with colour): a format such as \'file://{host}{path}\', or an alias' -r
complete -c dn -l hostname-bin -d 'A program that prints the hostname, for the {host} of hyperlinks (default: the system\'s hostname)' -r
complete -c dn -l context-separator -d 'The string between context blocks' -r
complete -c dn -l field-context-separator -d 'The separator between fields of a context line' -r
complete -c dn -l field-match-separator -d 'The separator between fields of a matching line' -r
complete -c dn -s M -l max-columns -d 'Omit lines longer than NUM bytes' -r
complete -c dn -l path-separator -d 'The path separator to print (a single byte)' -r
complete -c dn -s r -l replace -d 'Replace every match with this text ($1, ${name} expand groups)' -r
complete -c dn -l sort -d 'Sort results in ascending order (path order is the default)' -r -f -a "path\t'Walk order: sorted by path (the default)'
modified\t'Last modification time'
accessed\t'Last access time'
created\t'Creation time'
none\t'No order: each file is printed as soon as it is searched'"
complete -c dn -l sortr -d 'Sort results in descending order' -r -f -a "path\t'Walk order: sorted by path (the default)'
modified\t'Last modification time'
accessed\t'Last access time'
created\t'Creation time'
none\t'No order: each file is printed as soon as it is searched'"
complete -c dn -l generate -d 'Render the man page or a shell completion script to stdout' -r -f -a "man\t''
complete-bash\t''
complete-zsh\t''
complete-fish\t''
complete-powershell\t''
complete-elvish\t''"
complete -c dn -l no-config -d 'Ignore a config file, if DRAGNET_CONFIG_PATH names one'
complete -c dn -s z -l search-zip -d 'Search in compressed files (gzip, bzip2, xz, lz4, lzma, brotli, zstd)'
complete -c dn -l ignore-file-case-insensitive -d 'Match the globs of ignore files case insensitively'
complete -c dn -l no-pre -d 'Don\'t run a preprocessor (undoes --pre)'
complete -c dn -l crlf -d 'Treat CRLF as a line terminator'
complete -c dn -s i -l ignore-case -d 'Search case insensitively'
complete -c dn -s s -l case-sensitive -d 'Search case sensitively (the default)'
complete -c dn -s S -l smart-case -d 'Search case insensitively unless the pattern has an uppercase letter'
complete -c dn -s P -l pcre2 -d 'Use PCRE2 (same as --engine pcre2)'
complete -c dn -l no-pcre2 -d 'Use the default engine (undoes -P)'
complete -c dn -l auto-hybrid-regex -d 'Deprecated: --engine auto'
complete -c dn -l no-auto-hybrid-regex -d 'Deprecated: --engine default'
complete -c dn -s F -l fixed-strings -d 'Treat the pattern as a literal string'
complete -c dn -s v -l invert-match -d 'Invert matching: show lines that do not match'
complete -c dn -s x -l line-regexp -d 'Only show matches surrounded by line boundaries'
complete -c dn -s w -l word-regexp -d 'Only show matches surrounded by word boundaries'
complete -c dn -s U -l multiline -d 'Let matches span lines'
complete -c dn -l multiline-dotall -d 'Make \'.\' match line terminators in multiline mode'
complete -c dn -l no-unicode -d 'Disable Unicode mode in the pattern'
complete -c dn -l null-data -d 'Use NUL as the line terminator'
complete -c dn -l no-encoding -d 'Undo -E: detect the encoding from a BOM again (the default)'
complete -c dn -l binary -d 'Search binary files, but suppress their matching lines'
complete -c dn -s L -l follow -d 'Follow symbolic links'
complete -c dn -l glob-case-insensitive -d 'Match globs case insensitively'
complete -c dn -s . -l hidden -d 'Search hidden files and directories'
complete -c dn -l no-ignore -d 'Don\'t respect ignore files (.gitignore, .ignore, .dnignore, ...)'
complete -c dn -l no-ignore-dot -d 'Don\'t respect .ignore, .dnignore and .rgignore files'
complete -c dn -l no-ignore-exclude -d 'Don\'t respect .git/info/exclude'
complete -c dn -l no-ignore-files -d 'Don\'t respect --ignore-file paths'
complete -c dn -l no-ignore-global -d 'Don\'t respect the global gitignore file'
complete -c dn -l no-ignore-parent -d 'Don\'t respect ignore files in parent directories'
complete -c dn -l no-ignore-vcs -d 'Don\'t respect version control ignore files'
complete -c dn -l no-require-git -d 'Respect .gitignore even outside a git repository'
complete -c dn -l one-file-system -d 'Don\'t cross file system boundaries'
complete -c dn -s u -l unrestricted -d 'Reduce filtering: -u no ignore files, -uu also hidden, -uuu also binary'
complete -c dn -s a -l text -d 'Search binary files as if they were text'
complete -c dn -s b -l byte-offset -d 'Print the 0-based byte offset before each line'
complete -c dn -l no-sanitize -d 'Print control characters from files as they are, even on a terminal'
complete -c dn -l sanitize -d 'Undoes --no-sanitize'
complete -c dn -l column -d 'Show column numbers (1-based byte offset of the first match)'
complete -c dn -l no-column -d 'Don\'t show column numbers'
complete -c dn -l no-context-separator -d 'Print no separator between context blocks (nor between files)'
complete -c dn -s p -l pretty -d 'Alias for --color=always --heading --line-number (for a pager)'
complete -c dn -l heading -d 'Print the file path above its matches'
complete -c dn -l no-heading -d 'Print the file path on each matching line'
complete -c dn -s H -l with-filename -d 'Print the file path with each matching line'
complete -c dn -s I -l no-filename -d 'Never print the file path'
complete -c dn -s n -l line-number -d 'Show line numbers'
complete -c dn -s N -l no-line-number -d 'Suppress line numbers'
complete -c dn -l max-columns-preview -d 'Show a preview of lines longer than --max-columns'
complete -c dn -s 0 -l null -d 'Follow each path with a NUL byte'
complete -c dn -s o -l only-matching -d 'Print only the matched parts of a line'
complete -c dn -l passthru -d 'Print both matching and non-matching lines'
complete -c dn -l sort-files -d 'Deprecated: --sort path'
complete -c dn -l no-sort-files -d 'Deprecated: --sort none'
complete -c dn -l trim -d 'Trim leading ASCII whitespace from each line'
complete -c dn -l vimgrep -d 'Print one line per match, with line and column: file:line:col:text'
complete -c dn -l line-buffered -d 'Flush output after every line'
complete -c dn -l block-buffered -d 'Buffer output in blocks'
complete -c dn -s c -l count -d 'Print the number of matching lines per file'
complete -c dn -l count-matches -d 'Print the number of matches per file'
complete -c dn -s l -l files-with-matches -d 'Print only the paths with at least one match'
complete -c dn -l files-without-match -d 'Print only the paths with no match'
complete -c dn -l json -d 'Print results as JSON Lines (ripgrep\'s schema)'
complete -c dn -l include-zero -d 'Include files with zero matches in --count output'
complete -c dn -l no-messages -d 'Suppress error messages about files that could not be read'
complete -c dn -l no-ignore-messages -d 'Suppress messages about ignore files that could not be parsed'
complete -c dn -s q -l quiet -d 'Do not print anything; exit 0 on the first match'
complete -c dn -l progress -d 'Show a live progress line on stderr (default: when stderr is a terminal and stdout is not)'
complete -c dn -l no-progress -d 'Never show the progress line'
complete -c dn -l stats -d 'Print statistics about the search at the end'
complete -c dn -l debug -d 'Print debug messages on stderr: the resolved options, the ignore files read and why each path was skipped'
complete -c dn -l trace -d 'Print even more messages than --debug'
complete -c dn -s Q -l query -d 'Search interactively: results as you type, on a full-screen view'
complete -c dn -l files -d 'Print the files that would be searched, without searching'
complete -c dn -l type-list -d 'List every file type and its globs'
complete -c dn -l pcre2-version -d 'Print the version of PCRE2 built in, and whether it has a JIT'
complete -c dn -l mmap -d 'Search files through memory maps when possible (by default only up to ten files named on the command line are)'
complete -c dn -l no-mmap -d 'Never search files through memory maps'
complete -c dn -l stop-on-nonmatch -d 'Stop reading a file once a non-matching line follows a match'
complete -c dn -l no-search-zip -d 'Don\'t search in compressed files (undoes -z)'
complete -c dn -l no-crlf -d 'Don\'t treat CRLF as a line terminator (undoes --crlf)'
complete -c dn -l no-fixed-strings -d 'Treat the patterns as regexes again (undoes -F)'
complete -c dn -l no-invert-match -d 'Print matching lines again (undoes -v)'
complete -c dn -l no-multiline -d 'Match within single lines again (undoes -U)'
complete -c dn -l no-multiline-dotall -d 'Undoes --multiline-dotall'
complete -c dn -l unicode -d 'Unicode-aware patterns again (undoes --no-unicode)'
complete -c dn -l no-binary -d 'Skip binary files again (undoes --binary)'
complete -c dn -l no-follow -d 'Don\'t follow symbolic links (undoes -L)'
complete -c dn -l no-glob-case-insensitive -d 'Undoes --glob-case-insensitive'
complete -c dn -l no-hidden -d 'Skip hidden files again (undoes --hidden)'
complete -c dn -l ignore -d 'Respect ignore files again (undoes --no-ignore)'
complete -c dn -l ignore-dot -d 'Undoes --no-ignore-dot'
complete -c dn -l ignore-exclude -d 'Undoes --no-ignore-exclude'
complete -c dn -l ignore-files -d 'Undoes --no-ignore-files'
complete -c dn -l ignore-global -d 'Undoes --no-ignore-global'
complete -c dn -l ignore-parent -d 'Undoes --no-ignore-parent'
complete -c dn -l ignore-vcs -d 'Undoes --no-ignore-vcs'
complete -c dn -l require-git -d 'Undoes --no-require-git'
complete -c dn -l no-one-file-system -d 'Undoes --one-file-system'
complete -c dn -l no-text -d 'Skip binary data again (undoes -a)'
complete -c dn -l no-byte-offset -d 'Undoes -b'
complete -c dn -l no-max-columns-preview -d 'Undoes --max-columns-preview'
complete -c dn -l no-trim -d 'Undoes --trim'
complete -c dn -l no-line-buffered -d 'Undoes --line-buffered'
complete -c dn -l no-block-buffered -d 'Undoes --block-buffered'
complete -c dn -l no-json -d 'Undoes --json'
complete -c dn -l no-include-zero -d 'Undoes --include-zero'
complete -c dn -l messages -d 'Show error messages again (undoes --no-messages)'
complete -c dn -l no-ignore-file-case-insensitive -d 'Undoes --ignore-file-case-insensitive'
complete -c dn -l ignore-messages -d 'Undoes --no-ignore-messages'
complete -c dn -l no-stats -d 'Undoes --stats'
complete -c dn -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dn -s V -l version -d 'Print version'
