//! Go's `text/tabwriter` layout (kubectl's tables: minwidth 6, tabwidth 4, padding 3; describe:
//! minwidth 0, padding 2). Cells end at `\t`; the text after a line's last tab is never padded;
//! a column is aligned over each block of consecutive lines that have a cell in it.

pub struct TabWriter {
    minwidth: usize,
    padding: usize,
}

impl TabWriter {
    pub fn kubectl() -> Self {
        TabWriter {
            minwidth: 6,
            padding: 3,
        }
    }
    pub fn describe() -> Self {
        TabWriter {
            minwidth: 0,
            padding: 2,
        }
    }

    /// Lays out `text` (lines separated by `\n`, cells by `\t`).
    pub fn format(&self, text: &str) -> String {
        let mut lines: Vec<Vec<&str>> = text.split('\n').map(|l| l.split('\t').collect()).collect();
        let trailing_newline = text.ends_with('\n');
        if trailing_newline {
            lines.pop();
        }
        let mut out = String::new();
        let mut widths = Vec::new();
        self.block(&lines, 0, lines.len(), &mut widths, &mut out);
        out
    }

    fn block(
        &self,
        lines: &[Vec<&str>],
        mut line0: usize,
        line1: usize,
        widths: &mut Vec<usize>,
        out: &mut String,
    ) {
        let column = widths.len();
        let mut this = line0;
        while this < line1 {
            if column + 1 >= lines[this].len() {
                this += 1;
                continue;
            }
            self.write_lines(lines, line0, this, widths, out);
            line0 = this;
            let mut width = self.minwidth;
            while this < line1 && column + 1 < lines[this].len() {
                let w = lines[this][column].chars().count() + self.padding;
                width = width.max(w);
                this += 1;
            }
            widths.push(width);
            self.block(lines, line0, this, widths, out);
            widths.pop();
            line0 = this;
        }
        self.write_lines(lines, line0, line1, widths, out);
    }

    fn write_lines(
        &self,
        lines: &[Vec<&str>],
        from: usize,
        to: usize,
        widths: &[usize],
        out: &mut String,
    ) {
        for line in &lines[from..to] {
            for (j, cell) in line.iter().enumerate() {
                out.push_str(cell);
                if j < widths.len() && j + 1 < line.len() {
                    let n = cell.chars().count();
                    for _ in n..widths[j] {
                        out.push(' ');
                    }
                }
            }
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::TabWriter;

    #[test]
    fn seed_pod_block_layout() {
        let t = "NAME\tREADY\tSTATUS\tRESTARTS\tAGE\tLABELS\npod/pod-hello\t1/1\tRunning\t0\t40m\trun=pod-hello\n";
        assert_eq!(
            TabWriter::kubectl().format(t),
            "NAME            READY   STATUS    RESTARTS   AGE   LABELS\npod/pod-hello   1/1     Running   0          40m   run=pod-hello\n"
        );
    }

    #[test]
    fn describe_blocks_end_at_lines_without_tabs() {
        let t = "Name:\tx\nIPs:\n  IP:\t10.0.0.1\nContainers:\nQoS Class:\tBestEffort\n";
        assert_eq!(
            TabWriter::describe().format(t),
            "Name:  x\nIPs:\n  IP:  10.0.0.1\nContainers:\nQoS Class:  BestEffort\n"
        );
    }
}
