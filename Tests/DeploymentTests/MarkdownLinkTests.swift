import Foundation
import Testing

/// Every relative link in README.md and docs/*.md must lead somewhere: the file (or folder) must exist, and an
/// anchor (`page.md#section`, `#section`) must name a heading of that page. The manual is spread over several pages
/// that link to each other, so a renamed heading or a moved page would otherwise leave dead links behind.
@Suite("Markdown links")
struct MarkdownLinkTests {
    /// One `[text](target)` of a page.
    struct Link: CustomStringConvertible {
        let file: String
        let target: String
        var description: String { "\(file): (\(target))" }
    }

    /// The inline links of `markdown`, outside fenced code blocks and code spans (where brackets are code).
    static func links(in markdown: String, file: String) -> [Link] {
        let text = withoutCode(markdown)
        return text.matches(of: /\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/).map {
            Link(file: file, target: String($0.output.1))
        }
    }

    /// `markdown` without fenced code blocks and code spans (a span may run across a line break).
    static func withoutCode(_ markdown: String) -> String {
        var kept: [Substring] = []
        var inFence = false
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") {
                inFence.toggle()
                continue
            }
            if !inFence { kept.append(line) }
        }
        return kept.joined(separator: "\n").replacing(/`[^`]*`/, with: "")
    }

    /// The anchors GitHub gives the headings of `markdown`: lower case, punctuation dropped, spaces as hyphens, and
    /// `-1`, `-2`, … on repeats.
    static func anchors(in markdown: String) -> Set<String> {
        var anchors: Set<String> = []
        var inFence = false
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") {
                inFence.toggle()
                continue
            }
            guard !inFence, let heading = line.firstMatch(of: /^#{1,6}[ \t]+(.*?)[ \t#]*$/) else { continue }
            let slug = slug(String(heading.output.1))
            var candidate = slug
            var repeats = 0
            while anchors.contains(candidate) {
                repeats += 1
                candidate = "\(slug)-\(repeats)"
            }
            anchors.insert(candidate)
        }
        return anchors
    }

    static func slug(_ heading: String) -> String {
        var slug = ""
        for character in heading.lowercased() {
            if character == " " {
                slug.append("-")
            } else if character.isLetter || character.isNumber || character == "-" || character == "_" {
                slug.append(character)
            }
        }
        return slug
    }

    let links: [Link]

    init() throws {
        links = try Repository.markdownFiles().flatMap { file in Self.links(in: try Repository.text(file), file: file) }
    }

    /// Links with a scheme (`https:`, `mailto:`) leave the repository and are not checked.
    var relativeLinks: [Link] {
        links.filter { $0.target.firstMatch(of: /^[A-Za-z][A-Za-z0-9+.-]*:/) == nil }
    }

    @Test("the pages link to each other, and the links are found")
    func linksAreFound() {
        #expect(relativeLinks.contains { $0.file == "README.md" && $0.target.hasPrefix("docs/") }, "\(links)")
        #expect(relativeLinks.contains { $0.file.hasPrefix("docs/") && $0.target.contains("#") }, "\(links)")
    }

    @Test("every relative link names an existing file, and a heading of it when it has an anchor")
    func relativeLinksResolve() throws {
        for link in relativeLinks {
            let parts = link.target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
            let path = parts[0].removingPercentEncoding ?? String(parts[0])
            let directory = (link.file as NSString).deletingLastPathComponent
            // `page.md#x` relative to the linking page; a bare `#x` is the linking page itself.
            let target = path.isEmpty ? link.file : (directory as NSString).appendingPathComponent(path)
            guard Repository.exists(target) else {
                Issue.record("\(link): \(target) does not exist")
                continue
            }
            guard parts.count == 2 else { continue }
            guard target.hasSuffix(".md") else {
                Issue.record("\(link): an anchor into \(target), which is not a markdown page")
                continue
            }
            let anchor = String(parts[1])
            #expect(
                Self.anchors(in: try Repository.text(target)).contains(anchor), "\(link): \(target) has no heading #\(anchor)")
        }
    }

    @Test("anchors are made as GitHub makes them")
    func slugs() {
        #expect(
            Self.slug("Exactly-once in effect, on any Kafka-protocol broker")
                == "exactly-once-in-effect-on-any-kafka-protocol-broker")
        #expect(Self.slug("The embedded cluster's limits") == "the-embedded-clusters-limits")
        #expect(Self.slug("HTTP/1.0, `Expect` and `Host`") == "http10-expect-and-host")
        #expect(Self.anchors(in: "# A\n```sh\n# not a heading\n```\n## A\n### B: c\n") == ["a", "a-1", "b-c"])
    }
}
